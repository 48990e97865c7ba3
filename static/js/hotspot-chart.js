// Hot-spot trend (热点趋势): daily counts of the cluster's matters over the previous window
// (grey) and this window (red), read from the page's json_script block. The table under
// the chart holds the same figures for readers without JavaScript or with a screen reader.
(() => {
  const holder = document.getElementById("mq-hot-chart");
  const source = document.getElementById("mq-hot-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const { days, counts, window_start: start, labels: L } = JSON.parse(source.textContent);
  const esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const current = days.map((d, i) => (d >= start ? counts[i] : null));
  const previous = days.map((d, i) => (d < start ? counts[i] : null));

  const chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (items) => {
        const item = items.find((it) => it.value !== null && it.value !== undefined) || items[0];
        return `<div style="font-weight:600">${esc(item.axisValue)}</div>${item.marker}${esc(item.seriesName)}：<b>${item.value ?? 0}</b>`;
      },
    },
    legend: { top: 0, data: [L.previous, L.current] },
    grid: { left: 36, right: 16, top: 36, bottom: 28 },
    xAxis: {
      type: "category",
      data: days,
      axisLabel: { formatter: (d) => d.slice(5) },
    },
    yAxis: { type: "value", minInterval: 1, name: L.count, nameTextStyle: { align: "left" } },
    series: [
      { name: L.previous, type: "bar", stack: "n", data: previous, itemStyle: { color: "#adb5bd" }, barMaxWidth: 18 },
      {
        name: L.current,
        type: "bar",
        stack: "n",
        data: current,
        itemStyle: { color: "#d63939" },
        barMaxWidth: 18,
        markLine: {
          symbol: "none",
          silent: true,
          label: { show: false },
          lineStyle: { type: "dashed", color: "#495057" },
          data: [{ xAxis: start }],
        },
      },
    ],
  });
  holder.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
