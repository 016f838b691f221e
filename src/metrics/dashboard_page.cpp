#include "metrics/dashboard_page.h"

namespace weft::metrics::detail {
namespace {

// Element ids the page fills (tests read them): status, open, rx, tx, accepts, closes,
// iter_p99, buffer, queued; tables loops and busiest. data-* attributes on #summary hold
// the raw numbers of the last update.
constexpr std::string_view kPage = R"PAGE(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>weft dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#10141a;color:#dde3ea}
header{display:flex;gap:1.5em;align-items:baseline;padding:.8em 1.2em;background:#171d25;border-bottom:1px solid #263040}
header h1{font-size:1.1em;margin:0}#status{color:#8a96a6}#status.live{color:#5fd38d}
main{padding:1em 1.2em}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1em}
.card{background:#171d25;border:1px solid #263040;border-radius:6px;padding:.6em .8em}
.card h2{font-size:.85em;font-weight:600;margin:0 0 .3em;color:#8a96a6;text-transform:uppercase;letter-spacing:.04em}
.card h2 .u{text-transform:none}
.big{font-size:1.5em;font-variant-numeric:tabular-nums}.legend span{margin-right:1em;font-size:.8em}
canvas{width:100%;height:110px;display:block}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9em}
th,td{text-align:right;padding:.2em .5em;border-bottom:1px solid #263040}th:first-child,td:first-child{text-align:left}
.bar{display:inline-block;height:.7em;background:#4ea1ff;vertical-align:middle}
</style></head><body>
<header><h1>weft</h1><span id="status">connecting…</span><span id="uptime"></span></header>
<main><div id="summary" class="grid">
<div class="card"><h2>Connections open</h2><div class="big" id="open">–</div><canvas id="c_open"></canvas></div>
<div class="card"><h2>Throughput</h2><div class="big"><span id="rx">–</span> in · <span id="tx">–</span> out</div>
 <canvas id="c_bytes"></canvas><div class="legend" id="l_bytes"></div></div>
<div class="card"><h2>Accepts and closes per second</h2><div class="big"><span id="accepts">–</span> / <span id="closes">–</span></div>
 <canvas id="c_conns"></canvas><div class="legend" id="l_conns"></div></div>
<div class="card"><h2>Loop iteration time (<span class="u">µs</span>, worst loop)</h2><div class="big">p99 <span id="iter_p99">–</span></div>
 <canvas id="c_iter"></canvas><div class="legend" id="l_iter"></div></div>
<div class="card"><h2>Request latency (<span class="u">µs</span>)</h2><div class="big" id="req">–</div>
 <canvas id="c_req"></canvas><div class="legend" id="l_req"></div></div>
<div class="card"><h2>Closes by reason per second</h2><div class="big" id="errors">–</div>
 <canvas id="c_err"></canvas><div class="legend" id="l_err"></div></div>
<div class="card"><h2>Buffer memory</h2><div class="big"><span id="buffer">–</span> · queued <span id="queued">–</span></div>
 <canvas id="c_mem"></canvas><div class="legend" id="l_mem"></div></div>
</div>
<div class="grid" style="margin-top:1em">
<div class="card"><h2>Loops</h2><table id="loops"><thead><tr><th>server/loop</th><th>open</th><th>busy</th><th></th>
<th>iter/s</th><th>in/s</th><th>out/s</th><th>p99 µs</th><th>timers</th><th>queued</th><th>high water</th></tr></thead><tbody></tbody></table></div>
<div class="card"><h2>Busiest connections (most queued output)</h2><table id="busiest"><thead><tr><th>remote</th>
<th>server/loop</th><th>queued</th></tr></thead><tbody></tbody></table></div>
</div></main>
<script>
"use strict";
const N = 120, colors = ["#4ea1ff","#5fd38d","#f2c14e","#f25f5c","#b48ead","#7fdbca","#ff9f6e","#c0c5ce"];
const hist = {};
function push(key, v) { (hist[key] = hist[key] || []).push(v); if (hist[key].length > N) hist[key].shift(); }
function fmtBytes(v) { const u = ["B","KiB","MiB","GiB","TiB"]; let i = 0; while (v >= 1024 && i < 4) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : Math.round(v)) + " " + u[i]; }
function fmtNum(v) { return v >= 1e6 ? (v / 1e6).toFixed(2) + "M" : v >= 1e4 ? (v / 1e3).toFixed(1) + "k" : (+v).toFixed(v < 10 && v % 1 ? 1 : 0); }
function chart(id, keys, names, fmt) {
  const cv = document.getElementById("c_" + id), dpr = window.devicePixelRatio || 1;
  const w = cv.clientWidth, h = cv.clientHeight; cv.width = w * dpr; cv.height = h * dpr;
  const g = cv.getContext("2d"); g.scale(dpr, dpr); g.clearRect(0, 0, w, h);
  let max = 0; for (const k of keys) for (const v of hist[k] || []) max = Math.max(max, v);
  max = max > 0 ? max * 1.1 : 1;
  g.strokeStyle = "#263040"; g.fillStyle = "#8a96a6"; g.font = "10px system-ui";
  for (let i = 0; i <= 2; i++) { const y = 4 + (h - 8) * i / 2; g.beginPath(); g.moveTo(0, y); g.lineTo(w, y); g.stroke();
    g.fillText(fmt(max * (1 - i / 2)), 2, y + (i === 2 ? -2 : 10)); }
  keys.forEach((k, j) => { const d = hist[k] || []; if (!d.length) return; g.strokeStyle = colors[j % colors.length];
    g.lineWidth = 1.5; g.beginPath();
    d.forEach((v, i) => { const x = w - (d.length - 1 - i) * w / (N - 1), y = 4 + (h - 8) * (1 - v / max);
      i ? g.lineTo(x, y) : g.moveTo(x, y); }); g.stroke(); });
  if (names) document.getElementById("l_" + id).innerHTML = names.map((n, j) =>
    `<span style="color:${colors[j % colors.length]}">■ ${n}</span>`).join("");
}
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c])); }
let prev = null, reasons = [];
function update(s) {
  const sum = f => s.loops.reduce((a, l) => a + f(l), 0);
  const dt = prev ? Math.max(1e-3, s.uptime_s - prev.uptime_s) : 0;
  const rate = (f) => { if (!prev) return 0; const p = prev.loops.reduce((a, l) => a + f(l), 0); return Math.max(0, (sum(f) - p) / dt); };
  const open = sum(l => l.open), rx = rate(l => l.bytes_in), tx = rate(l => l.bytes_out);
  const acc = rate(l => l.accepted), clo = rate(l => Object.values(l.closed).reduce((a, b) => a + b, 0));
  const p50 = Math.max(0, ...s.loops.map(l => l.iteration_us.p50)), p99 = Math.max(0, ...s.loops.map(l => l.iteration_us.p99));
  const mem = sum(l => (l.blocks_in_use + l.blocks_pooled) * l.block_size), inuse = sum(l => l.blocks_in_use * l.block_size);
  const queued = sum(l => l.outbound_queued);
  push("open", open); push("rx", rx); push("tx", tx); push("acc", acc); push("clo", clo);
  push("p50", p50); push("p99", p99); push("mem", mem); push("inuse", inuse); push("queued", queued);
  const el = id => document.getElementById(id);
  el("open").textContent = fmtNum(open); el("rx").textContent = fmtBytes(rx) + "/s"; el("tx").textContent = fmtBytes(tx) + "/s";
  el("accepts").textContent = fmtNum(acc); el("closes").textContent = fmtNum(clo); el("iter_p99").textContent = fmtNum(p99);
  el("buffer").textContent = fmtBytes(mem); el("queued").textContent = fmtBytes(queued);
  el("uptime").textContent = "up " + Math.round(s.uptime_s) + " s";
  const d = el("summary").dataset; d.open = open; d.bytesIn = sum(l => l.bytes_in); d.bytesOut = sum(l => l.bytes_out);
  d.accepted = sum(l => l.accepted); d.loops = s.loops.length; d.updates = (+d.updates || 0) + 1;
  reasons = s.loops.length ? Object.keys(s.loops[0].closed) : [];
  const errNames = [];
  reasons.forEach(r => { push("err_" + r, rate(l => l.closed[r])); errNames.push(r); });
  el("errors").textContent = reasons.filter(r => r !== "peer_closed" && r !== "local")
    .map(r => r + " " + sum(l => l.closed[r])).join(" · ");
  const reqs = s.app.filter(a => a.type === "histogram");
  const reqNames = [];
  reqs.slice(0, 2).forEach((a, i) => { push("rq50_" + i, a.window_us.p50); push("rq99_" + i, a.window_us.p99);
    reqNames.push(a.name + " p50", a.name + " p99"); });
  el("req").textContent = reqs.length ? "p50 " + fmtNum(reqs[0].window_us.p50) + " · p99 " + fmtNum(reqs[0].window_us.p99)
    : "no request histogram";
  chart("open", ["open"], null, fmtNum);
  chart("bytes", ["rx", "tx"], ["in", "out"], v => fmtBytes(v) + "/s");
  chart("conns", ["acc", "clo"], ["accepts", "closes"], fmtNum);
  chart("iter", ["p50", "p99"], ["p50", "p99"], fmtNum);
  chart("req", reqs.slice(0, 2).flatMap((a, i) => ["rq50_" + i, "rq99_" + i]), reqNames, fmtNum);
  chart("err", reasons.map(r => "err_" + r), errNames, fmtNum);
  chart("mem", ["mem", "inuse", "queued"], ["blocks", "in use", "queued output"], fmtBytes);
  const rows = s.loops.map(l => { const p = prev && prev.loops.find(q => q.server === l.server && q.loop === l.loop);
    const r = (f) => p ? Math.max(0, (f(l) - f(p)) / dt) : 0;
    return `<tr><td>${esc(l.server)}/${l.loop}</td><td>${l.open}</td><td>${(l.busy * 100).toFixed(1)}%</td>` +
      `<td><span class="bar" style="width:${Math.round(l.busy * 80)}px"></span></td><td>${fmtNum(r(x => x.iterations))}</td>` +
      `<td>${fmtBytes(r(x => x.bytes_in))}</td><td>${fmtBytes(r(x => x.bytes_out))}</td><td>${fmtNum(l.iteration_us.p99)}</td>` +
      `<td>${l.timers_pending}</td><td>${fmtBytes(l.outbound_queued)}</td><td>${l.over_high_water}</td></tr>`; });
  el("loops").tBodies[0].innerHTML = rows.join("");
  el("busiest").tBodies[0].innerHTML = s.busiest.slice(0, 20).map(c =>
    `<tr><td>${esc(c.remote)}</td><td>${esc(c.server)}/${c.loop}</td><td>${fmtBytes(c.queued)}</td></tr>`).join("");
  prev = s;
}
function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/dashboard/ws");
  const st = document.getElementById("status");
  ws.onopen = () => { st.textContent = "live"; st.className = "live"; };
  ws.onmessage = e => { try { update(JSON.parse(e.data)); } catch (err) { st.textContent = "bad update: " + err; } };
  ws.onclose = () => { st.textContent = "disconnected; retrying"; st.className = ""; setTimeout(connect, 2000); };
}
connect();
</script></body></html>
)PAGE";

}  // namespace

std::string_view dashboard_page() {
  return kPage;
}

}  // namespace weft::metrics::detail
