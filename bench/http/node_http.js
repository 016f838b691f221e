// node_http: Node's http module answering every request with the same small plain-text
// body, and GET /static/NAME from ROOT/static/NAME, for bench/http/run.sh.
//
//   node node_http.js PORT ROOT
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [port, root] = process.argv.slice(2);
const hello = Buffer.from('Hello, World!\n');
http.createServer((req, res) => {
  if (req.url.startsWith('/static/')) {
    const file = path.join(root, 'static', path.basename(req.url));
    fs.stat(file, (err, st) => {
      if (err) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': st.size });
      fs.createReadStream(file).pipe(res);
    });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': hello.length });
  res.end(hello);
}).listen(Number(port), '127.0.0.1');
