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
  const unit = labels.unit || "";
  const formatValue = (value) => Number(value).toLocaleString() + " " + unit;
  // Estimated flows are drawn pale so that metered and estimated quantities stay apart.
  const links = data.links.map((link) =>
    link.estimated ? Object.assign({}, link, { lineStyle: { opacity: 0.15, color: "#999999" } }) : link
  );
  const chart = echarts.init(element);
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: (info) => {
        const estimated = info.dataType === "edge" && info.data.estimated ? " (" + escape(labels.estimated || "") + ")" : "";
        return escape(info.name) + ": " + escape(formatValue(info.value)) + estimated;
      },
    },
    series: [
      {
        type: "sankey",
        data: data.nodes,
        links: links,
        emphasis: { focus: "adjacency" },
        nodeAlign: "left",
        lineStyle: { color: "gradient", curveness: 0.5 },
        label: { fontSize: 11, formatter: (info) => info.name + "\n" + formatValue(info.value) },
      },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
