// Runs the dashboard page's script in Node against a minimal stand-in for the browser's
// DOM, canvas and WebSocket, feeding it snapshots from /stats, and prints what the page
// shows. Usage: node metrics_page.js HOST:PORT
// Prints "shown open=<text> loops_rows=<n> updates=<n> status=<text> bytes_in=<n>" and
// "stats open=<n> loops=<n> bytes_in=<n>" for the same snapshot.
"use strict";
const http = require("http");
const vm = require("vm");

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, res => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", d => (body += d));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

function element(id) {
  const canvasContext = new Proxy({}, { get: (t, k) => (k in t ? t[k] : () => {}), set: (t, k, v) => ((t[k] = v), true) });
  return {
    id, textContent: "", innerHTML: "", className: "", dataset: {}, clientWidth: 300, clientHeight: 110,
    tBodies: [{ innerHTML: "" }], getContext: () => canvasContext,
  };
}

async function main() {
  const host = process.argv[2];
  const page = await get(`http://${host}/dashboard`);
  const script = page.slice(page.indexOf("<script>") + 8, page.indexOf("</script>"));
  const elements = {};
  let socket = null;
  const sandbox = {
    document: { getElementById: id => (elements[id] = elements[id] || element(id)) },
    window: { devicePixelRatio: 1 },
    location: { protocol: "http:", host },
    setTimeout: () => {},
    WebSocket: function (url) { socket = this; this.url = url; },
  };
  sandbox.window.WebSocket = sandbox.WebSocket;
  vm.runInNewContext(script, sandbox);
  if (!socket || socket.url !== `ws://${host}/dashboard/ws`) throw new Error("no WebSocket to the feed");
  socket.onopen();
  let stats = null;
  for (let i = 0; i < 2; i++) {
    const text = await get(`http://${host}/stats`);
    stats = JSON.parse(text);
    socket.onmessage({ data: text });
  }
  const d = elements.summary.dataset;
  const rows = (elements.loops.tBodies[0].innerHTML.match(/<tr>/g) || []).length;
  console.log(`shown open=${elements.open.textContent} loops_rows=${rows} updates=${d.updates} ` +
              `status=${elements.status.textContent} bytes_in=${d.bytesIn}`);
  const sum = f => stats.loops.reduce((a, l) => a + f(l), 0);
  console.log(`stats open=${sum(l => l.open)} loops=${stats.loops.length} bytes_in=${sum(l => l.bytes_in)}`);
}

main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
