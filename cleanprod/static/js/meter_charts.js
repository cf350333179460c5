// Draws the daily and hourly consumption bars of the meter page from json_script data.
(function () {
  "use strict";

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  const labels = readJson("chart-labels") || {};
  const escape = (text) => echarts.format.encodeHTML(String(text));
  const number = (value) => (value === null || value === undefined ? "–" : Number(value).toLocaleString());

  // Diagonal stripes mark partial buckets, so they stay distinct without colour too.
  const hatch = {
    symbol: "rect",
    dashArrayX: [1, 0],
    dashArrayY: [3, 4],
    rotation: -Math.PI / 4,
    color: "rgba(255, 255, 255, 0.55)",
  };

  function tooltip(data, partialLabel) {
    return function (params) {
      const index = params[0].dataIndex;
      const lines = [
        "<strong>" + escape(data.labels[index]) + "</strong>",
        escape(labels.total) + ": " + number(data.total[index]) + " " + escape(data.unit),
        escape(labels.estimated) + ": " + number(data.estimated[index]) + " " + escape(data.unit),
        escape(labels.coverage) + ": " + number(data.coverage_percent[index]) + " %",
      ];
      if (data.suspect[index]) {
        lines.push(escape(labels.suspect) + ": " + number(data.suspect[index]) + " " + escape(data.unit));
      }
      if (data.partial[index]) {
        lines.push("<em>" + escape(partialLabel) + "</em>");
      }
      return lines.join("<br>");
    };
  }

  function drawBars(elementId, data, partialLabel) {
    const element = document.getElementById(elementId);
    if (!element || !data || data.labels.length === 0 || typeof echarts === "undefined") {
      return;
    }
    const chart = echarts.init(element);
    const manyBars = data.labels.length > 62;
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: tooltip(data, partialLabel) },
      legend: { top: 0 },
      grid: { left: 70, right: 24, top: 40, bottom: manyBars ? 70 : 40 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", name: data.unit, nameTextStyle: { fontWeight: "bold" } },
      dataZoom: manyBars ? [{ type: "inside" }, { type: "slider" }] : [],
      series: [
        {
          name: labels.measured,
          type: "bar",
          stack: "consumption",
          data: data.measured,
          itemStyle: { color: "#0b6e4f" },
        },
        {
          name: partialLabel,
          type: "bar",
          stack: "consumption",
          data: data.measured_partial,
          itemStyle: { color: "#c98a00", decal: hatch },
        },
        {
          name: labels.estimated,
          type: "bar",
          stack: "consumption",
          data: data.estimated,
          itemStyle: { color: "#9fd3c0" },
        },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  drawBars("daily-chart", readJson("daily-chart-data"), labels.measured_partial);
  drawBars("hourly-chart", readJson("hourly-chart-data"), labels.measured_partial_hour);
})();
