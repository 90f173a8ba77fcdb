// 200 sockets from one address on one channel: how many stay open, and the presence count seen.
import WebSocket from 'ws';
const GW = process.env.GW ?? 'ws://127.0.0.1:8090/ws';
const channel = `thread:crowd-${Date.now().toString(36)}`;
const codes = {};
let open = 0;
let maxPresence = 0;
const sockets = [];
await Promise.all(
  Array.from(
    { length: 200 },
    () =>
      new Promise((resolve) => {
        const ws = new WebSocket(GW);
        sockets.push(ws);
        ws.on('open', () => {
          open++;
          ws.send(JSON.stringify({ op: 'subscribe', channel }));
          resolve();
        });
        ws.on('message', (d) => {
          const f = JSON.parse(d);
          if (f.op === 'presence') maxPresence = Math.max(maxPresence, f.count);
        });
        ws.on('close', (code) => {
          codes[code] = (codes[code] ?? 0) + 1;
          resolve();
        });
        ws.on('error', () => resolve());
      }),
  ),
);
await new Promise((r) => setTimeout(r, 5000));
const stillOpen = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
console.log(JSON.stringify({ attempted: 200, stillOpen, closeCodes: codes, maxPresence }));
for (const s of sockets) s.terminate();
