// Four 10,000-character `@a....b` comments, then an unrelated one: its accept-to-socket latency.
import WebSocket from 'ws';
const INGEST = process.env.INGEST ?? 'http://127.0.0.1:8080';
const GW = process.env.GW ?? 'ws://127.0.0.1:8090/ws';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const post = (thread, body, author = 'x') =>
  fetch(`${INGEST}/v1/threads/${thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ author: { id: author }, body }),
  });
async function trial(name, hostile) {
  const thread = `rx-${name}-${Date.now().toString(36)}`;
  const ws = new WebSocket(GW);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const got = new Promise((resolve) =>
    ws.on('message', (d) => {
      const f = JSON.parse(d);
      if (f.op === 'event' && f.event.author?.id === 'probe')
        resolve(Date.now() - Date.parse(f.event.createdAt));
    }),
  );
  ws.send(JSON.stringify({ op: 'subscribe', channel: `thread:${thread}` }));
  await sleep(500);
  const bodies = Array.from({ length: 4 }, (_, i) =>
    hostile ? '@a' + '.'.repeat(9_997) + 'b' : 'plain ' + 'x'.repeat(9_990) + i,
  );
  await Promise.all(bodies.map((b, i) => post(thread, b, `h${i}`)));
  await post(thread, 'an unrelated comment', 'probe');
  const ms = await Promise.race([got, sleep(20_000).then(() => 'timeout')]);
  ws.terminate();
  return ms;
}
const out = { baseline: [], hostile: [] };
for (let i = 0; i < 3; i++) {
  out.baseline.push(await trial('base', false));
  out.hostile.push(await trial('bad', true));
}
console.log(JSON.stringify(out));
