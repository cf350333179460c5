// Draws the dashboard charts (trend, treemap, Pareto, Sankey, load profile) from json_script data.
(function () {
  "use strict";

  if (typeof echarts === "undefined") {
    return;
  }

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  const labels = readJson("dashboard-chart-labels") || {};
  const escape = (text) => echarts.format.encodeHTML(String(text));
  const number = (value) => (value === null || value === undefined ? "–" : Number(value).toLocaleString());
  const charts = [];

  function init(element) {
    const chart = echarts.init(element);
    charts.push(chart);
    return chart;
  }

  // Opens the dashboard of the clicked unit; the server puts the URL in the data.
  function followUrl(params) {
    const url = params.data && params.data.url;
    if (url) {
      window.location.href = url;
    }
  }

  function drawTrend(container, series) {
    if (!container || !series) {
      return;
    }
    series.forEach((item) => {
      const title = document.createElement("h3");
      title.textContent = item.resource + " (" + item.unit + ")";
      const element = document.createElement("div");
      element.className = "chart chart-small";
      element.setAttribute("role", "img");
      element.setAttribute("aria-label", title.textContent);
      container.appendChild(title);
      container.appendChild(element);
      init(element).setOption({
        tooltip: {
          trigger: "axis",
          formatter: (params) => {
            const index = params[0].dataIndex;
            return [
              "<strong>" + escape(item.labels[index]) + "</strong>",
              escape(item.resource) + ": " + number(item.values[index]) + " " + escape(item.unit),
              escape(labels.coverage) + ": " + number(item.coverage_percent[index]) + " %",
            ].join("<br>");
          },
        },
        grid: { left: 80, right: 24, top: 30, bottom: 40 },
        xAxis: { type: "category", data: item.labels },
        yAxis: { type: "value", name: item.unit },
        dataZoom: item.labels.length > 62 ? [{ type: "inside" }, { type: "slider" }] : [],
        series: [
          {
            name: item.resource,
            type: "bar",
            data: item.values.map((value, index) => ({
              value: value,
              // Partial days are drawn in amber, as on the meter page.
              itemStyle: { color: item.coverage_percent[index] < 100 ? "#c98a00" : "#0b6e4f" },
            })),
          },
        ],
      });
    });
  }

  function drawTreemap(element, data) {
    if (!element || !data || data.length === 0) {
      return;
    }
    const chart = init(element);
    chart.setOption({
      tooltip: {
        formatter: (info) => escape(info.name) + ": " + number(info.value) + " tce",
      },
      series: [
        {
          type: "treemap",
          data: data.map(function mark(node) {
            const copy = Object.assign({}, node);
            if (node.own) {
              copy.name = node.name + " (" + labels.own_meters + ")";
            }
            if (node.children) {
              copy.children = node.children.map(mark);
            }
            return copy;
          }),
          leafDepth: 2,
          roam: false,
          nodeClick: false,
          breadcrumb: { show: false },
          label: { show: true, formatter: "{b}" },
          upperLabel: { show: true, height: 22 },
          levels: [
            { itemStyle: { borderColor: "#fff", borderWidth: 3, gapWidth: 3 } },
            { itemStyle: { borderColor: "#eee", borderWidth: 2, gapWidth: 1 } },
          ],
        },
      ],
    });
    chart.on("click", followUrl);
  }

  function drawPareto(element, data) {
    if (!element || !data || data.labels.length === 0) {
      return;
    }
    const chart = init(element);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 80, right: 60, top: 40, bottom: 90 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [
        { type: "value", name: data.unit },
        { type: "value", name: "%", min: 0, max: 100 },
      ],
      series: [
        {
          name: labels.energy,
          type: "bar",
          data: data.values.map((value, index) => ({
            value: value,
            url: data.urls[index],
            itemStyle: { color: data.vital[index] ? "#0b6e4f" : "#9fb3c8" },
          })),
        },
        {
          name: labels.cumulative,
          type: "line",
          yAxisIndex: 1,
          data: data.cumulative_percent,
          itemStyle: { color: "#c62828" },
          markLine: {
            symbol: "none",
            label: { formatter: labels.threshold },
            lineStyle: { type: "dashed", color: "#c62828" },
            data: [{ yAxis: data.threshold_percent }],
          },
        },
      ],
    });
    chart.on("click", followUrl);
  }

  function drawSankey(element, data) {
    if (!element || !data || data.links.length === 0) {
      return;
    }
    init(element).setOption({
      tooltip: { trigger: "item", formatter: (info) => escape(info.name) + ": " + number(info.value) + " tce" },
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
  }

  function drawLoad(element, data) {
    if (!element || !data || data.cells.length === 0) {
      return;
    }
    const hours = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0"));
    init(element).setOption({
      tooltip: {
        formatter: (info) =>
          escape(labels.weekdays[info.value[1]]) + " " + hours[info.value[0]] + ":00<br>" +
          escape(labels.mean_load) + ": " + number(info.value[2]) + " " + escape(data.unit),
      },
      grid: { left: 60, right: 24, top: 10, bottom: 80 },
      xAxis: { type: "category", data: hours, name: labels.hour, splitArea: { show: true } },
      yAxis: { type: "category", data: labels.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: data.max || 1,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        text: [data.unit, ""],
        inRange: { color: ["#f5f7fa", "#9fd3c0", "#0b6e4f", "#c98a00"] },
      },
      series: [{ name: labels.mean_load, type: "heatmap", data: data.cells }],
    });
  }

  drawTrend(document.getElementById("trend-charts"), readJson("trend-chart-data"));
  drawTreemap(document.getElementById("treemap-chart"), readJson("treemap-chart-data"));
  drawPareto(document.getElementById("pareto-chart"), readJson("pareto-chart-data"));
  drawSankey(document.getElementById("sankey-chart"), readJson("sankey-chart-data"));
  drawLoad(document.getElementById("load-chart"), readJson("load-chart-data"));
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
