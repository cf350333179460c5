// Draws the hourly consumption around an alert, with the expected value and the alert's first hour.
(function () {
  "use strict";
  const element = document.getElementById("alert-chart");
  const holder = document.getElementById("alert-chart-data");
  if (!element || !holder || typeof echarts === "undefined") {
    return;
  }
  const data = JSON.parse(holder.textContent);
  const series = [{
    name: data.series_name,
    type: "bar",
    data: data.values,
    markLine: { symbol: "none", data: [{ xAxis: data.mark }] },
  }];
  if (data.expected !== null) {
    // expected_values has a gap (null) where the expected value does not apply, e.g. in working time.
    series.push({ name: data.expected_name, type: "line", symbol: "none", data: data.expected_values });
  }
  echarts.init(element).setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", name: data.unit },
    series: series,
  });
})();
