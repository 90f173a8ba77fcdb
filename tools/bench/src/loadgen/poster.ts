/**
 * Load generator for the pipeline scenario: posts comments to ingest over keep-alive HTTP at a
 * steady rate, round-robin over the threads, from many authors (so that none trips the spam
 * burst signal). Each body carries its thread sequence number and the moment it was sent, which
 * the html delivered to the sockets still holds.
 */
import { Agent, request } from 'node:http';
import { monoMicros } from '../clock';
import { createHistogram } from '../histogram';
import { emitEvent, serveCommands } from '../ipc';
import { markerText } from '../marker';
import { markUsage } from '../self-usage';
import type { PostArgs, PostResult } from './poster-protocol';

const TICK_MS = 5;
// Enough connections that a slow answer never queues the next post behind it in the agent: the
// schedule is the poster's, the waiting ingest's (post -> 202 measures it).
const agent = new Agent({ keepAlive: true, maxSockets: 2048 });
let acceptedSeqs: number[][] = [];
let nextSeq: number[] = [];
let counter = 0;
let run = '';

function post(url: URL, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

async function postAll(args: PostArgs): Promise<PostResult> {
  if (nextSeq.length !== args.threads.length) {
    nextSeq = new Array<number>(args.threads.length).fill(0);
    acceptedSeqs = args.threads.map(() => []);
  }
  const url = new URL(args.url);
  const usage = markUsage();
  const httpLatency = createHistogram();
  const failures: Record<string, number> = {};
  const total = Math.round(args.rate * args.seconds);
  let sent = 0;
  let accepted = 0;
  let firstT = 0;
  let lastT = 0;
  let maxBehind = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let notified = false;
  const pending = new Set<Promise<void>>();

  const one = () => {
    const k = counter++;
    const t = k % args.threads.length;
    const seq = nextSeq[t]!++;
    const author = `bench-${run}-${k % args.authors}`;
    const sentAt = monoMicros();
    if (firstT === 0) firstT = sentAt;
    lastT = sentAt;
    const body = JSON.stringify({
      author: { id: author },
      body: `${markerText(seq, sentAt)} comment ${k} of the benchmark, an ordinary sentence or two of text about the thread it was posted to.`,
    });
    sent++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const p = post(url, `/v1/threads/${encodeURIComponent(args.threads[t]!)}/comments`, body).then(
      (status) => {
        if (status === 202) {
          accepted++;
          acceptedSeqs[t]!.push(seq);
          httpLatency.record(monoMicros() - sentAt);
          if (args.notifyAt !== undefined && !notified && accepted >= args.notifyAt) {
            notified = true;
            emitEvent('posted', { accepted });
          }
        } else failures[String(status)] = (failures[String(status)] ?? 0) + 1;
      },
      (e: Error & { code?: string }) => {
        const key = e.code ?? e.message;
        failures[key] = (failures[key] ?? 0) + 1;
      },
    );
    const tracked = p.finally(() => {
      inFlight--;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };

  const start = monoMicros();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((monoMicros() - start) / 1e6) * args.rate));
    maxBehind = Math.max(maxBehind, due - sent);
    while (sent < due) one();
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await Promise.all(pending);
  return {
    sent,
    accepted,
    failures,
    acceptedSeqs: acceptedSeqs.map((l) => [...l]),
    httpLatency: httpLatency.toData(),
    firstT,
    lastT,
    maxBehind,
    maxInFlight,
    usage: usage.since(),
  };
}

serveCommands({
  setup: (args: { run: string }) => {
    run = args.run;
  },
  post: (args: PostArgs) => postAll(args),
});
