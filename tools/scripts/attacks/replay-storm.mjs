// Replay storm against a running npm start: live reader latency with and without stormers.
import WebSocket from 'ws';
const INGEST = process.env.INGEST ?? 'http://127.0.0.1:8080';
const GW = process.env.GW ?? 'ws://127.0.0.1:8090/ws';
const KEY = process.env.API_KEY;
const thread = `storm-${Date.now().toString(36)}`;
const post = (body) =>
  fetch(`${INGEST}/v1/threads/${thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(KEY ? { 'x-api-key': KEY } : {}) },
    body: JSON.stringify(body),
  });
const open = () =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(GW);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function preload(n) {
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        post({ author: { id: `pre-${i + j}` }, body: `pre ${i + j}` }),
      ),
    );
  }
}
async function phase(name, storm) {
  const live = await open();
  const lat = [];
  let cursor0;
  live.on('message', (d) => {
    const f = JSON.parse(d);
    if (f.op === 'event' && f.event.type === 'comment.created' && f.event.author.id.startsWith('live-'))
      lat.push(Date.now() - Date.parse(f.event.createdAt));
  });
  live.send(JSON.stringify({ op: 'subscribe', channel: `thread:${thread}` }));
  await sleep(500);
  const stormers = [];
  let replayed = 0,
    resets = 0,
    errors = 0;
  if (storm) {
    for (let i = 0; i < 3; i++) {
      const ws = await open();
      ws.on('message', (d) => {
        const f = JSON.parse(d);
        if (f.op === 'event') replayed++;
        else if (f.op === 'reset') resets++;
        else if (f.op === 'error') errors++;
      });
      stormers.push(ws);
    }
  }
  const stormTimer = storm
    ? setInterval(() => {
        for (const ws of stormers) {
          ws.send(JSON.stringify({ op: 'unsubscribe', channel: `thread:${thread}` }));
          ws.send(JSON.stringify({ op: 'subscribe', channel: `thread:${thread}`, cursor: storm }));
        }
      }, 50)
    : undefined;
  const end = Date.now() + 15_000;
  let sent = 0;
  let accepted = 0;
  while (Date.now() < end) {
    const r = await post({ author: { id: `live-${sent}` }, body: `live ${sent}` });
    if (r.status === 202) accepted++;
    sent++;
    await sleep(20);
  }
  await sleep(2000);
  clearInterval(stormTimer);
  for (const ws of stormers) ws.terminate();
  live.terminate();
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  console.log(
    JSON.stringify({
      name,
      sent,
      accepted,
      got: lat.length,
      p50: q(0.5),
      p99: q(0.99),
      max: lat.at(-1),
      replayed,
      resets,
      errors,
    }),
  );
}
// Where the thread's partition starts: a subscribe gives the cursor of now; preload behind it.
const probe = await open();
const first = new Promise((r) => probe.once('message', (d) => r(JSON.parse(d))));
probe.send(JSON.stringify({ op: 'subscribe', channel: `thread:${thread}` }));
const start = (await first).cursor;
probe.terminate();
await preload(Number(process.env.PRELOAD ?? 3000));
await phase('quiet', undefined);
await phase('storm', start);
