// The liaison network map (一张联络服务网络图): an ECharts tree read from the page's
// json_script block. Township → zones → villages → groups; villages start collapsed and a
// click expands or collapses a node. The list below the chart carries the same content for
// readers without JavaScript or with a screen reader.
(() => {
  const holder = document.getElementById("mq-network-chart");
  const source = document.getElementById("mq-network-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const { tree, labels: L } = JSON.parse(source.textContent);

  const ROW = 46; // px per visible leaf
  const COLORS = { township: "#b71c1c", zone: "#e8590c", village: "#1971c2", group: "#495057" };
  const esc = (s) =>
    String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const counts = (n) =>
    `${L.households} ${n.households} · ${L.hardship} ${n.hardship} · ${L.party_members} ${n.party_members}`;
  // ECharts rich-text labels use {style|text}: keep braces and bars out of names.
  const plain = (s) => String(s).replace(/[{}|]/g, " ");
  const names = (people) => plain(people.map((p) => p.name).join("、") || L.none);
  const peopleHtml = (people) =>
    people.length
      ? people
          .map((p) => esc(p.name) + (p.phone ? ` <span style="font-family:monospace">${esc(p.phone)}</span>` : "") + (p.note ? ` <span style="color:#868e96">(${esc(p.note)})</span>` : ""))
          .join("<br>")
      : `<span style="color:#868e96">${esc(L.none)}</span>`;

  // Expanded state is ours: ECharts redraws from `collapsed` on each item.
  const expanded = new Set(["township"]);
  tree.zones.forEach((zone, i) => expanded.add(`zone-${i}`));

  function item(node, id, kind, children) {
    const open = expanded.has(id);
    const base = {
      id,
      kind,
      raw: node,
      name: node.name,
      collapsed: children.length ? !open : undefined,
      children,
      // Filled when open or a leaf, hollow when it hides children (the ECharts convention).
      symbol: "circle",
      itemStyle: { color: children.length && !open ? "#fff" : COLORS[kind], borderColor: COLORS[kind], borderWidth: 2 },
      symbolSize: kind === "group" ? 8 : kind === "township" ? 16 : 12,
    };
    return base;
  }

  function build() {
    const zones = tree.zones.map((zone, zi) => {
      const villages = zone.villages.map((village) => {
        const groups = village.groups.map((group) => item(group, `g-${group.code}`, "group", []));
        return item(village, `v-${village.code}`, "village", groups);
      });
      return item(zone, `zone-${zi}`, "zone", villages);
    });
    return item(tree, "township", "township", zones);
  }

  function leaves(node) {
    if (!node.children.length || node.collapsed) return 1;
    return node.children.reduce((n, child) => n + leaves(child), 0);
  }

  function label(params) {
    const d = params.data;
    const n = d.raw;
    if (d.kind === "group") {
      return `{name|${plain(n.name)}}  ${L.leaders}${L.colon}${names(n.leaders)}  ${L.liaisons}${L.colon}${names(n.liaisons)}\n{count|${counts(n)}}`;
    }
    if (d.kind === "village") return `{name|${plain(n.name)}} (${n.group_count})\n{count|${counts(n)}}`;
    return `{name|${plain(n.name)}}`;
  }

  function tooltip(params) {
    const d = params.data;
    const n = d.raw;
    const head = `<div style="font-weight:600;margin-bottom:4px">${esc(n.name)}</div>`;
    const line = (k, v) => `<div><span style="color:#868e96">${esc(k + L.colon)}</span>${v}</div>`;
    if (d.kind === "group") {
      return (
        head +
        line(L.leaders, peopleHtml(n.leaders)) +
        line(L.members, peopleHtml(n.members)) +
        line(L.party_links, peopleHtml(n.party_links)) +
        line(L.liaisons, peopleHtml(n.liaisons)) +
        `<div style="margin-top:4px">${esc(counts(n))}</div>`
      );
    }
    const parts = [];
    if (n.village_count !== undefined) parts.push(`${L.villages} ${n.village_count}`);
    if (n.group_count !== undefined) parts.push(`${L.groups} ${n.group_count}`);
    if (n.liaison_count !== undefined) parts.push(`${L.liaisons} ${n.liaison_count}`);
    return head + `<div>${esc(parts.join(" · "))}</div><div>${esc(counts(n))}</div><div style="color:#868e96;margin-top:4px">${esc(L.expand)}</div>`;
  }

  const chart = echarts.init(holder, null, { renderer: "canvas" });

  function draw() {
    const root = build();
    holder.style.height = `${Math.max(420, leaves(root) * ROW + 40)}px`;
    chart.resize();
    chart.setOption(
      {
        tooltip: { trigger: "item", triggerOn: "mousemove", confine: true, formatter: tooltip },
        series: [
          {
            type: "tree",
            data: [root],
            top: 20,
            bottom: 20,
            left: 90,
            right: 430,
            orient: "LR",
            roam: false,
            expandAndCollapse: false,
            animationDuration: 300,
            animationDurationUpdate: 300,
            label: {
              position: "left",
              verticalAlign: "middle",
              align: "right",
              fontSize: 12,
              lineHeight: 16,
              formatter: label,
              // Labels sit over the edges that fan out of an expanded sibling: keep them legible.
              backgroundColor: "rgba(255,255,255,0.85)",
              padding: [1, 3],
              rich: { name: { fontWeight: "bold", fontSize: 13 }, count: { color: "#868e96", fontSize: 11 } },
            },
            leaves: { label: { position: "right", align: "left" } },
            lineStyle: { color: "#adb5bd", width: 1.2, curveness: 0.5 },
          },
        ],
      },
      { notMerge: true },
    );
  }

  function setAll(open) {
    expanded.clear();
    expanded.add("township");
    tree.zones.forEach((zone, zi) => {
      expanded.add(`zone-${zi}`);
      if (open) zone.villages.forEach((v) => expanded.add(`v-${v.code}`));
    });
    draw();
  }

  chart.on("click", (params) => {
    const d = params.data;
    if (!d || !d.children || !d.children.length) return;
    if (expanded.has(d.id)) expanded.delete(d.id);
    else expanded.add(d.id);
    draw();
  });
  document.querySelectorAll(".mq-network-tools").forEach((el) => {
    el.hidden = false;
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-network-expand]");
    if (button) setAll(button.dataset.networkExpand === "all");
  });
  window.addEventListener("resize", () => chart.resize());
  draw();
})();
