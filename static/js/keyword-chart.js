// Keyword trends (关键词趋势): an ECharts line chart of the top keywords' monthly counts,
// read from the page's json_script block. The table under the chart holds the same figures
// for readers without JavaScript or with a screen reader.
(() => {
  const holder = document.getElementById("mq-keyword-chart");
  const source = document.getElementById("mq-keyword-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const { months, matters, series, labels: L } = JSON.parse(source.textContent);
  const esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  const chart = echarts.init(holder, null, { renderer: "svg" });
  // The first five words are drawn from the start; the rest are one legend click away.
  const selected = {};
  series.forEach((s, i) => {
    selected[s.name] = i < 5;
  });
  selected[L.matters] = false;
  chart.setOption({
    animation: false,
    color: ["#1971c2", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#0c8599", "#f08c00", "#5c940d", "#862e9c", "#495057"],
    tooltip: {
      trigger: "axis",
      formatter: (items) => {
        const rows = items
          .filter((it) => it.value > 0 || it.seriesName === L.matters)
          .sort((a, b) => b.value - a.value)
          .map((it) => `<div>${it.marker}${esc(it.seriesName)}：<b>${it.value}</b></div>`)
          .join("");
        return `<div style="font-weight:600;margin-bottom:4px">${esc(items[0].axisValue)}</div>${rows}`;
      },
    },
    legend: { type: "scroll", top: 0, selected },
    grid: { left: 36, right: 24, top: 48, bottom: 30 },
    xAxis: { type: "category", data: months, boundaryGap: false },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      ...series.map((s) => ({ name: s.name, type: "line", data: s.data, symbolSize: 6 })),
      { name: L.matters, type: "line", data: matters, lineStyle: { type: "dashed" }, itemStyle: { color: "#adb5bd" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
