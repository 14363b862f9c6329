/* salesflow pipeline inspection page: filters, sorts and draws what salesflow computed.
   Every figure comes from the JSON data block; this script adds no figure of its own
   beyond sums of the deals a filter keeps. Text is only ever set as text, never as HTML. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("salesflow-data").textContent);
  var probe = document.createElement("div");
  probe.innerHTML = "<svg></svg>";
  var SVG = probe.firstChild.namespaceURI;
  var byId = function (id) { return document.getElementById(id); };
  var F = { owner: "", team: "", cat: "", stage: "", period: "", risk: false, all: false };
  var SORT = { key: "d", dir: 1 };
  var LIMIT = 200, shown = LIMIT, rows = [], openDeal = null;
  var formats = {};
  var LOCALE = "en";
  try { LOCALE = Intl.NumberFormat.supportedLocalesOf([D.locale || "en"])[0] || "en"; } catch (e) { LOCALE = "en"; }

  function fmt(compact) {
    var key = compact ? "c" : "f";
    if (!formats[key]) {
      var o = { maximumFractionDigits: compact ? 1 : 0, notation: compact ? "compact" : "standard" };
      try {
        if (D.currency) { o.style = "currency"; o.currency = D.currency; }
        formats[key] = new Intl.NumberFormat(LOCALE, o);
      } catch (e) {
        delete o.style; delete o.currency;
        var plain = new Intl.NumberFormat(LOCALE, o);
        formats[key] = { format: function (v) { return plain.format(v) + " " + D.currency; } };
      }
    }
    return formats[key];
  }
  function money(c, compact) { return c == null ? "–" : fmt(compact).format(c / 100); }
  function signed(c, compact) { return (c > 0 ? "+" : c < 0 ? "−" : "±") + money(Math.abs(c), compact); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  /* Filters: a deal passes on its current owner, team, category, stage, close period, flags. */
  function pass(d) {
    if (F.owner && d.o !== F.owner) return false;
    if (F.team && d.o !== F.team && (D.up[d.o] || []).indexOf(F.team) < 0) return false;
    if (F.cat && d.c !== F.cat) return false;
    if (F.stage && d.s !== F.stage) return false;
    if (F.period && d.q !== F.period) return false;
    if (F.risk && !d.r.length) return false;
    return true;
  }
  function filtered() { return D.deals.filter(pass); }
  function filtering() { return !!(F.owner || F.team || F.cat || F.stage || F.period || F.risk); }

  /* The summary lines (pipeline_summary, cumulative) over states [cents, category, status]. */
  function totals(deals, state) {
    var out = {};
    D.lines.forEach(function (l) { out[l.name] = [0, 0]; });
    deals.forEach(function (d) {
      var s = state(d);
      if (!s) return;
      D.lines.forEach(function (l) {
        if ((!l.cats || l.cats.indexOf(s[1]) >= 0) && (!l.st || l.st.indexOf(s[2]) >= 0)) {
          out[l.name][0] += 1; out[l.name][1] += s[0] || 0;
        }
      });
    });
    return out;
  }
  var NOW = function (d) { return [d.v, d.c, d.t]; };
  var START = function (d) { return d.w; };

  function drawTiles(deals) {
    var now = totals(deals, NOW), then = totals(deals, START), box = clear(byId("tiles"));
    D.tiles.forEach(function (name) {
      var t = el("div", { "class": "tile", role: "listitem", "data-line": name,
        "data-count": now[name][0], "data-cents": now[name][1] });
      var delta = now[name][1] - then[name][1];
      t.appendChild(el("div", { "class": "name" }, name.replace(" Forecast", "")));
      t.appendChild(el("div", { "class": "value" }, money(now[name][1], true)));
      t.appendChild(el("div", { "class": "delta dim" }, now[name][0] + " deals · " +
        signed(delta, true) + " in " + D.window.days + " days"));
      box.appendChild(t);
    });
    Object.keys(D.changes).forEach(function (name) {
      var kinds = D.changes[name], n = 0, c = 0;
      deals.forEach(function (d) { if (kinds.indexOf(d.m) >= 0) { n += 1; c += d.mc || 0; } });
      var t = el("div", { "class": "tile change", role: "listitem", "data-line": name,
        "data-count": n, "data-cents": c });
      t.appendChild(el("div", { "class": "name" }, name + " (" + D.window.days + " days)"));
      t.appendChild(el("div", { "class": "value " + (c < 0 ? "neg" : c > 0 ? "pos" : "") }, signed(c, true)));
      t.appendChild(el("div", { "class": "delta dim" }, n + " deals"));
      box.appendChild(t);
    });
    return now;
  }

  /* Charts: inline SVG, axes in the report's currency. */
  function frame(w, h) { return svg("svg", { viewBox: "0 0 " + w + " " + h, role: "img" }); }
  function ticks(lo, hi, n) {
    var step = Math.pow(10, Math.floor(Math.log10(Math.max(hi - lo, 1) / n)));
    [1, 2, 5, 10].some(function (m) { if ((hi - lo) / (step * m) <= n) { step *= m; return true; } return false; });
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
    return out;
  }
  function yAxis(g, lo, hi, y, x0, x1) {
    ticks(lo, hi, 4).forEach(function (v) {
      g.appendChild(svg("line", { x1: x0, x2: x1, y1: y(v), y2: y(v), "class": "axis" }));
      g.appendChild(svg("text", { x: x0 - 4, y: y(v) + 4, "text-anchor": "end" }, money(v, true)));
    });
  }

  function drawBridge(deals) {
    var sums = {}, start = 0, end = 0;
    D.movements.forEach(function (m) { sums[m] = 0; });
    deals.forEach(function (d) {
      if (d.ms != null) start += d.ms;
      if (d.me != null) end += d.me;
      if (d.m in sums) sums[d.m] += d.mc || 0;
    });
    var bars = [["start", 0, start, "total"]], level = start;
    D.movements.forEach(function (m) {
      if (!sums[m]) return;
      bars.push([m.replace("_", " "), level, level + sums[m], m === "won" ? "won" : sums[m] > 0 ? "add" : "sub"]);
      level += sums[m];
    });
    bars.push(["end", 0, end, "total"]);
    var box = clear(byId("c-bridge"));
    byId("n-bridge").textContent = "Open pipeline " + D.window.days + " days ago to now. " +
      "The axis starts near the smallest level, not at zero, so that small movements show; " +
      (level === end ? "the movements add up." : "THE MOVEMENTS DO NOT ADD UP.");
    if (!start && !end && bars.length === 2) { box.appendChild(el("p", { "class": "note" }, "No open pipeline in the window.")); return; }
    var levels = [];
    bars.forEach(function (b) { if (b[3] !== "total") levels.push(b[1], b[2]); else levels.push(b[2]); });
    var lo = Math.min.apply(null, levels), hi = Math.max.apply(null, levels), pad = (hi - lo) * 0.25 || hi * 0.1 || 100;
    lo = Math.max(0, lo - pad); hi += pad * 0.4;
    var W = 480, H = 230, L = 62, B = 36, T = 8, bw = (W - L - 8) / bars.length;
    var y = function (v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
    var s = frame(W, H);
    s.appendChild(svg("title", {}, "Pipeline bridge, " + money(start) + " to " + money(end)));
    yAxis(s, lo, hi, y, L, W - 4);
    bars.forEach(function (b, i) {
      var total = b[3] === "total", from = total ? lo : Math.min(b[1], b[2]), to = b[3] === "total" ? b[2] : Math.max(b[1], b[2]);
      var x = L + i * bw + bw * 0.15, top = y(to), height = Math.max(1, y(from) - y(to));
      var r = s.appendChild(svg("rect", { x: x, y: top, width: bw * 0.7, height: height, "class": b[3] }));
      r.appendChild(svg("title", {}, b[0] + ": " + (b[3] === "total" ? money(b[2]) : signed(b[2] - b[1]))));
      s.appendChild(svg("text", { x: x + bw * 0.35, y: top - 3, "text-anchor": "middle" },
        b[3] === "total" ? money(b[2], true) : signed(b[2] - b[1], true)));
      s.appendChild(svg("text", { x: x + bw * 0.35, y: H - B + 14, "text-anchor": "middle" }, b[0]));
    });
    if (lo > 0) s.appendChild(svg("text", { x: L + 2, y: H - B - 3, "class": "dim" }, "≈"));
    box.appendChild(s);
  }

  function drawTime(deals) {
    var box = clear(byId("c-time"));
    if (!D.weeks.length) { box.appendChild(el("p", { "class": "note" }, "No history: nothing to draw.")); return; }
    var names = ["Open Pipeline", "Commit Forecast", "Closed Won"];
    var lines = names.map(function (n) { return D.lines.filter(function (l) { return l.name === n; })[0]; });
    var series = names.map(function () { return D.weeks.map(function () { return 0; }); });
    deals.forEach(function (d) {
      if (!d.h) return;
      var s = null;
      d.h.forEach(function (e, w) {
        s = e === 0 ? null : e === 1 ? s : e;
        if (!s) return;
        lines.forEach(function (l, k) {
          if ((!l.cats || l.cats.indexOf(s[1]) >= 0) && (!l.st || l.st.indexOf(s[2]) >= 0)) series[k][w] += s[0];
        });
      });
    });
    var hi = Math.max.apply(null, series.map(function (s) { return Math.max.apply(null, s); })) * 1.1 || 100;
    var W = 480, H = 230, L = 62, B = 36, T = 8, n = D.weeks.length;
    var x = function (i) { return L + (W - L - 24) * (n > 1 ? i / (n - 1) : 0.5); };
    var y = function (v) { return T + (H - T - B) * (1 - v / hi); };
    var s = frame(W, H);
    s.appendChild(svg("title", {}, "Pipeline over time, weekly"));
    yAxis(s, 0, hi, y, L, W - 4);
    D.weeks.forEach(function (day, i) {
      if (i % 3 === (n - 1) % 3) s.appendChild(svg("text", { x: x(i), y: H - B + 14, "text-anchor": "middle" }, day.slice(5)));
    });
    series.forEach(function (points, k) {
      s.appendChild(svg("polyline", { "class": "l" + k, points: points.map(function (v, i) { return x(i) + "," + y(v); }).join(" ") }));
      s.appendChild(svg("rect", { x: 4 + k * 158, y: H - 14, width: 10, height: 10, "class": "k" + k }));
      s.appendChild(svg("text", { x: 18 + k * 158, y: H - 5 }, names[k].replace(" Forecast", "") + " " + money(points[n - 1], true)));
    });
    box.appendChild(s);
  }

  function drawFunnel(deals) {
    var box = clear(byId("c-funnel")), n = D.steps.length;
    var reached = D.steps.map(function (_, k) { return deals.filter(function (d) { return d.f >= k; }).length; });
    if (!n || !reached[0]) { box.appendChild(el("p", { "class": "note" }, "No deals reached the first stage.")); return; }
    var W = 480, L = 150, R = 90, row = 22, H = n * row + 8, s = frame(W, H);
    s.appendChild(svg("title", {}, "Stage funnel"));
    D.steps.forEach(function (name, k) {
      var w = (W - L - R) * reached[k] / reached[0], yy = 4 + k * row;
      s.appendChild(svg("text", { x: L - 6, y: yy + 14, "text-anchor": "end" }, name));
      s.appendChild(svg("rect", { x: L, y: yy, width: Math.max(w, 1), height: row - 5, "class": k === n - 1 ? "won" : "bar" }));
      var rate = k && reached[k - 1] ? " (" + Math.round(1000 * reached[k] / reached[k - 1]) / 10 + " %)" : "";
      s.appendChild(svg("text", { x: L + w + 4, y: yy + 14 }, reached[k] + rate));
    });
    box.appendChild(s);
  }

  function drawForecast() {
    var box = clear(byId("c-forecast")), f = D.forecast;
    if (!f) { box.appendChild(el("p", { "class": "note" }, "No forecast in this report.")); return; }
    byId("h-forecast").textContent = f.title;
    byId("n-forecast").textContent = (filtering() ? "For all deals: the filters do not apply to this Monte Carlo forecast. " : "") + f.notes.join(" ");
    var v = {}; f.figures.forEach(function (p) { v[p[0].split(" ")[0]] = p[1]; });
    var hi = Math.max(v.P90 || 0, v.won || 0, 1) * 1.15, W = 480, H = 110, L = 12, R = 12;
    var x = function (c) { return L + (W - L - R) * c / hi; };
    var s = frame(W, H);
    s.appendChild(svg("title", {}, "Forecast band: P10 to P90"));
    ticks(0, hi, 4).forEach(function (t) {
      s.appendChild(svg("line", { x1: x(t), x2: x(t), y1: 10, y2: 76, "class": "axis" }));
      s.appendChild(svg("text", { x: x(t), y: 90, "text-anchor": "middle" }, money(t, true)));
    });
    s.appendChild(svg("rect", { x: x(0), y: 46, width: x(v.won || 0) - x(0), height: 18, "class": "won" }));
    s.appendChild(svg("text", { x: x(0) + 2, y: 74 }, "won so far " + money(v.won, true)));
    s.appendChild(svg("rect", { x: x(v.P10), y: 16, width: Math.max(1, x(v.P90) - x(v.P10)), height: 22, "class": "band" }));
    s.appendChild(svg("line", { x1: x(v.P50), x2: x(v.P50), y1: 12, y2: 42, stroke: "#1d2330", "stroke-width": 2 }));
    s.appendChild(svg("text", { x: x(v.P50), y: 10, "text-anchor": "middle" }, "P50 " + money(v.P50, true)));
    s.appendChild(svg("text", { x: x(v.P10), y: 108 }, "P10 " + money(v.P10, true) + " · P90 " + money(v.P90, true)));
    box.appendChild(s);
  }

  /* The deal list: change highlights over the window. */
  var CAT = D.categories, STAGE = D.stages;
  function level(c) { return c === "Omitted" ? -1 : CAT.indexOf(c); }
  function change(d, k) {
    var w = d.w;
    if (!w) return d.m === "new" ? ["", "new in the window"] : null;
    if (k === "v" && w[0] !== d.v && w[0] != null && d.v != null) return [d.v > w[0] ? "up" : "down", "was " + money(w[0])];
    if (k === "d" && w[4] !== d.d && w[4] && d.d) return [d.d > w[4] ? "down" : "up", (d.d > w[4] ? "pushed out from " : "pulled in from ") + w[4]];
    if (k === "s" && w[3] !== d.s) {
      var forward = d.t === 1 || (d.t === 0 && STAGE.indexOf(d.s) > STAGE.indexOf(w[3]));
      return [forward ? "up" : "down", "was " + w[3]];
    }
    if (k === "c" && w[1] !== d.c) return [level(d.c) > level(w[1]) ? "up" : "down", "was " + w[1]];
    return null;
  }
  var COLUMNS = [
    ["n", "Deal"], ["o", "Owner"], ["s", "Stage"], ["v", "Amount", 1], ["d", "Close date"],
    ["c", "Category"], ["pc", "Predicted close"], ["sc", "Score", 1], ["r", "At risk"], ["la", "Last activity"]
  ];
  function value(d, k) { return k === "r" ? d.r.length : d[k]; }
  function compare(a, b) {
    var x = value(a, SORT.key), y = value(b, SORT.key);
    if (x == null) return y == null ? 0 : 1;
    if (y == null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * SORT.dir;
  }
  function drawHead() {
    var head = clear(byId("list-head"));
    COLUMNS.forEach(function (c) {
      var th = el("th", { scope: "col" });
      if (SORT.key === c[0]) th.setAttribute("aria-sort", SORT.dir > 0 ? "ascending" : "descending");
      var b = th.appendChild(el("button", { type: "button", "data-key": c[0] }, c[1]));
      b.addEventListener("click", function () {
        SORT = { key: c[0], dir: SORT.key === c[0] ? -SORT.dir : 1 };
        drawHead(); drawRows();
      });
      head.appendChild(th);
    });
  }
  function drawRows() {
    rows.sort(compare);
    var body = clear(byId("rows")), part = document.createDocumentFragment();
    rows.slice(0, shown).forEach(function (d) {
      var tr = el("tr", { tabindex: "0", "data-id": d.i });
      COLUMNS.forEach(function (c) {
        var k = c[0], text = k === "v" ? money(d.v) : k === "r" ? d.r.join("; ") : k === "sc" ? (d.sc == null ? "–" : Math.round(100 * d.sc) + " %") : d[k];
        var td = el("td", { "class": (c[2] ? "n " : "") + (k === "r" ? "risk" : "") }, text == null ? "–" : text);
        var moved = k === "v" || k === "d" || k === "s" || k === "c" ? change(d, k) : null;
        if (moved && moved[0]) { td.className += " " + moved[0]; td.title = moved[1]; td.setAttribute("aria-label", text + ", " + moved[1]); }
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () { openPanel(d, tr); });
      tr.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openPanel(d, tr); }
        if (e.key === "ArrowDown" && tr.nextSibling) { e.preventDefault(); tr.nextSibling.focus(); }
        if (e.key === "ArrowUp" && tr.previousSibling) { e.preventDefault(); tr.previousSibling.focus(); }
      });
      part.appendChild(tr);
    });
    body.appendChild(part);
    byId("more").hidden = rows.length <= shown;
    byId("more").textContent = "Show " + Math.min(LIMIT, rows.length - shown) + " more of " + (rows.length - shown);
    byId("list-note").textContent = rows.length + " deals: " + (F.all ? "all deals" : "open, and closed in the last " + D.window.days + " days") +
      ". Highlighted cells changed in the window (green: amount up, pulled in, stage forward, category up; red: the opposite); hover for the old value.";
  }

  /* The deal panel: its history as a timeline, its activities and contact roles. */
  function openPanel(d, from) {
    var p = clear(byId("panel")), x = D.details[d.i] || { h: [], a: [], na: 0, r: [] };
    openDeal = from;
    var close = p.appendChild(el("button", { type: "button", "class": "close", "aria-label": "Close" }, "×"));
    close.addEventListener("click", closePanel);
    p.appendChild(el("h2", { id: "panel-h" }, d.n));
    var dl = p.appendChild(el("dl"));
    [["Id", d.i], ["Account", d.a], ["Owner", d.o], ["Stage", d.s], ["Amount", money(d.v)], ["Close date", d.d],
     ["Forecast category", d.c], ["Probability", d.p == null ? null : d.p + " %"], ["Predicted close", d.pc],
     ["Score", d.sc == null ? null : Math.round(100 * d.sc) + " %"], ["Last activity", d.la],
     ["At risk", d.r.length ? d.r.join("; ") : "no"]].forEach(function (f) {
      dl.appendChild(el("dt", {}, f[0])); dl.appendChild(el("dd", {}, f[1] == null ? "–" : f[1]));
    });
    p.appendChild(el("h3", {}, "History"));
    var ol = p.appendChild(el("ol", { "class": "timeline" })), last = null;
    var LABELS = ["", "stage", "amount", "currency", "category", "close date", "owner"];
    x.h.forEach(function (h) {
      var said = [];
      if (!last) said.push("created in " + h[1] + ", " + money(h[2]) + ", closing " + (h[5] || "–") + ", " + h[4] + (h[6] ? ", owner " + h[6] : ""));
      else [1, 2, 4, 5, 6].forEach(function (k) {
        if (h[k] !== last[k]) said.push(LABELS[k] + " " + (k === 2 ? money(last[k]) : last[k] || "–") + " → " + (k === 2 ? money(h[k]) : h[k] || "–"));
      });
      ol.appendChild(el("li", {}, h[0] + " UTC: " + said.join("; ")));
      last = h;
    });
    if (!x.h.length) ol.appendChild(el("li", {}, "No history."));
    p.appendChild(el("h3", {}, "Activities" + (x.na > x.a.length ? " (latest " + x.a.length + " of " + x.na + ")" : "")));
    var ul = p.appendChild(el("ul"));
    x.a.forEach(function (a) { ul.appendChild(el("li", {}, a[0] + " " + (a[1] || "") + ": " + (a[2] || "") + (a[3] === false ? " (open)" : ""))); });
    if (!x.a.length) ul.appendChild(el("li", {}, "No activities."));
    p.appendChild(el("h3", {}, "Contact roles"));
    var roles = p.appendChild(el("ul"));
    x.r.forEach(function (r) { roles.appendChild(el("li", {}, r[0] + ": " + (r[1] || "no role") + (r[2] ? " (primary)" : ""))); });
    if (!x.r.length) roles.appendChild(el("li", {}, "No contact roles."));
    Array.prototype.forEach.call(document.querySelectorAll("tr.open"), function (t) { t.classList.remove("open"); });
    if (from) from.classList.add("open");
    p.hidden = false;
    p.focus();
  }
  function closePanel() {
    byId("panel").hidden = true;
    if (openDeal) { openDeal.classList.remove("open"); openDeal.focus(); }
    openDeal = null;
  }

  function render() {
    var deals = filtered();
    var now = drawTiles(deals);
    drawBridge(deals); drawTime(deals); drawFunnel(deals); drawForecast();
    rows = deals.filter(function (d) { return F.all || d.t === 0 || !d.w || d.w[2] === 0; });
    shown = LIMIT;
    drawRows();
    return now;
  }

  function options(id, values) {
    var s = byId(id);
    values.forEach(function (v) {
      var label = Array.isArray(v) ? new Array(v[1] + 1).join("\u00a0\u00a0") + v[0] : v;
      s.appendChild(el("option", { value: Array.isArray(v) ? v[0] : v }, label));
    });
  }
  options("f-owner", D.owners);
  options("f-team", D.teams);
  if (!D.teams.length) byId("f-team").disabled = true;
  options("f-cat", D.categories);
  options("f-stage", D.stages);
  options("f-period", D.periods);
  var when = function (t) { return t.replace("T", " ").replace("+00:00", ""); };
  byId("moment").textContent = "As of " + when(D.as_of) + " UTC; changes over the " + D.window.days +
    " days since " + when(D.window.start) + ". Amounts in " + (D.currency || "no single currency") + ".";
  [["f-owner", "owner"], ["f-team", "team"], ["f-cat", "cat"], ["f-stage", "stage"], ["f-period", "period"]].forEach(function (f) {
    byId(f[0]).addEventListener("change", function (e) { F[f[1]] = e.target.value; render(); });
  });
  byId("f-risk").addEventListener("change", function (e) { F.risk = e.target.checked; render(); });
  byId("f-all").addEventListener("change", function (e) { F.all = e.target.checked; render(); });
  byId("f-clear").addEventListener("click", function () {
    ["f-owner", "f-team", "f-cat", "f-stage", "f-period"].forEach(function (id) { byId(id).value = ""; });
    byId("f-risk").checked = false;
    F = { owner: "", team: "", cat: "", stage: "", period: "", risk: false, all: F.all };
    render();
  });
  byId("more").addEventListener("click", function () { shown += LIMIT; drawRows(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !byId("panel").hidden) closePanel(); });
  var notes = byId("notes");
  D.notes.forEach(function (n) { notes.appendChild(el("p", { "class": "note" }, n)); });
  drawHead();
  var first = render();
  Object.keys(D.expected).forEach(function (line) {
    var e = D.expected[line], got = first[line];
    if (got && (got[0] !== e[0] || Math.abs(got[1] - e[1]) > got[0])) {
      console.error("salesflow: the page's " + line + " (" + got + ") differs from the report's (" + e + ")");
    }
  });
  document.body.setAttribute("data-ready", "1");
}());
