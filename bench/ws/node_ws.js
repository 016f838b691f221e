// WebSocket echo with Node's `ws` for bench/ws/run.sh: every message goes back as it came
// (binary stays binary). No permessage-deflate, no pings, 64 MiB largest message.
// Usage: node node_ws.js PORT   (NODE_PATH names the node_modules holding ws)
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 4096,
  perMessageDeflate: false,
  maxPayload: 64 << 20,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
process.on('SIGTERM', () => process.exit(0));
