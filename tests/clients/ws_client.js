// A WebSocket client for weft's tests, on Node's ws (npm), with the same scenarios as
// ws_client.py. Usage: node ws_client.js URL SCENARIO (NODE_PATH points at ws).
'use strict';
const WebSocket = require('ws');

const [url, scenario] = process.argv.slice(2);
const out = [];
const ws = new WebSocket(url, { perMessageDeflate: true, maxPayload: 0 });
const next = () => new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
setTimeout(() => { console.log(out.join('\n')); process.exit(3); }, 20000).unref();

ws.on('error', (e) => { out.push('error ' + e.message); });
ws.on('open', async () => {
  if (scenario === 'echo') {
    out.push('deflate ' + (ws.extensions.includes('permessage-deflate') ? 'yes' : 'no'));
    ws.send('hello');
    out.push('text ' + (await next()).data.toString());
    ws.send(Buffer.from([0, 1, 2]));
    out.push('binary ' + (await next()).data.length);
    ws.send('frag1 ', { fin: false });
    ws.send('frag2', { fin: true });
    out.push('text ' + (await next()).data.toString());
    const text = 'compress me '.repeat(1000);
    ws.send(text);
    const back = (await next()).data.toString();
    out.push('text ' + back.length + ' ' + (back === text ? 'same' : 'different'));
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; ++i) big[i] = i & 255;
    ws.send(big);
    const bigBack = (await next()).data;
    out.push('big ' + bigBack.length + ' ' + (bigBack.equals(big) ? 'same' : 'different'));
    const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
    ws.ping('hi');
    out.push('pong ' + (await pong));
    ws.send('close-me');
    const c = await closed;
    out.push('close ' + c.code + ' ' + c.reason);
  } else if (scenario === 'client-close') {
    ws.send('hello');
    out.push('text ' + (await next()).data.toString());
    ws.close(1000, 'done');
    out.push('close ' + (await closed).code);
  } else if (scenario === 'too-big') {
    ws.send('x'.repeat(2000));
    out.push('close ' + (await closed).code);
  }
  console.log(out.join('\n'));
  process.exit(0);
});
