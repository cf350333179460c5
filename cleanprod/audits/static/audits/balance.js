// Draws the Sankey diagram of an audit balance from the json_script data of the page.
(function () {
  "use strict";

  if (typeof echarts === "undefined") {
    return;
  }

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  const element = document.getElementById("balance-sankey");
  const data = readJson("balance-sankey-data");
  const labels = readJson("balance-chart-labels") || {};
  if (!element || !data || data.links.length === 0) {
    return;
  }
  const escape = (text) => echarts.format.encodeHTML(String(text));
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: (info) => escape(info.name) + ": " + Number(info.value).toLocaleString() + " " + escape(labels.unit || ""),
    },
    series: [
      {
        type: "sankey",
        data: data.nodes,
        links: data.links,
        emphasis: { focus: "adjacency" },
        nodeAlign: "left",
        lineStyle: { color: "gradient", curveness: 0.5 },
        label: { fontSize: 11 },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
