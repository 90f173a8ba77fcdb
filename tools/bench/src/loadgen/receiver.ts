/**
 * Load generator: holds WebSocket client sockets, each subscribed to one channel, and counts
 * what arrives: every event once (by its sequence number in its channel), duplicates, order,
 * latency from the event's injection stamp, bytes. Runs as a child process of the runner,
 * driven over IPC (`open`, `reset`, `stats`, `close`); it reports its own CPU and event-loop
 * use, so the runner can tell when this process, not the server, was the limit.
 */
import { monoMicros } from '../clock';
import { createHistogram, type Histogram } from '../histogram';
import { emitEvent, serveCommands } from '../ipc';
import { readMarker } from '../marker';
import { markUsage, type UsageMark } from '../self-usage';
import { createSeqSet, type SeqSet } from '../seq-set';
import { openClient } from './client-socket';
import type { RawSocket } from './raw-ws';
import { socketProtocol } from './wire-protocol';
import type { OpenArgs, OpenResult, ReceiverStats, StatsArgs } from './receiver-protocol';

interface Sock {
  readonly channel: number;
  ws: RawSocket | undefined;
  readonly seen: SeqSet;
  maxSeq: number;
  subscribed: boolean;
  /** Closed by us (end of run) rather than by the server or the network. */
  closing: boolean;
  /** Its TCP connection is gone. */
  gone: boolean;
}

const CREATED_AT = Buffer.from('"createdAt":"');

let socks: Sock[] = [];
/** While `close` waits: called once per socket it closed. */
let closeWaiters: (() => void) | undefined;
let channels: string[] = [];
let acceptTimes = false;

// Measurement window (since the last `reset`).
let mark: UsageMark = markUsage();
let hist: Histogram = createHistogram();
let acceptHist: Histogram = createHistogram();
let windowArrived = 0;
let windowBytes = 0;
let firstArrival = 0;
let lastArrival = 0;
// Whole run.
let arrived = 0;
let duplicates = 0;
let outOfOrder = 0;
let controlErrors: Record<string, number> = {};
let closedByServer: Record<string, number> = {};

const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

function onEvent(s: Sock, buf: Buffer): boolean {
  const m = readMarker(buf);
  if (m === undefined) return false;
  const now = monoMicros();
  if (!s.seen.add(m.seq)) {
    duplicates++;
    return true;
  }
  if (m.seq < s.maxSeq) outOfOrder++;
  else s.maxSeq = m.seq;
  arrived++;
  windowArrived++;
  windowBytes += buf.length;
  if (firstArrival === 0) firstArrival = now;
  lastArrival = now;
  hist.record(now - m.t);
  if (acceptTimes) {
    const at = buf.indexOf(CREATED_AT);
    if (at >= 0) {
      const start = at + CREATED_AT.length;
      const accepted = Date.parse(buf.toString('latin1', start, start + 24));
      if (accepted > 0) acceptHist.record((Date.now() - accepted) * 1000);
    }
  }
  return true;
}

function open(args: OpenArgs): Promise<OpenResult> {
  channels = args.channels;
  acceptTimes = args.acceptTimes ?? false;
  const connectHist = createHistogram();
  const failures: Record<string, number> = {};
  const n = args.assign.length;
  const base = socks.length;
  for (let i = 0; i < n; i++) {
    socks.push({
      channel: args.assign[i]!,
      ws: undefined,
      seen: createSeqSet(),
      maxSeq: -1,
      subscribed: false,
      closing: false,
      gone: false,
    });
  }
  const usage = markUsage();
  let started = 0;
  let inFlight = 0;
  let done = 0;
  let subscribed = 0;
  let firstStart = 0;
  let lastDone = 0;
  const t0 = monoMicros();
  const progressEvery = Math.max(1, Math.min(1000, Math.floor(n / 20)));

  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      // Whatever has not answered by now counts as failed.
      for (let i = base; i < base + n; i++) {
        const s = socks[i]!;
        if (!s.subscribed && s.ws) s.ws.terminate();
      }
      if (started < n) {
        failures.not_started = (failures.not_started ?? 0) + (n - started);
        done += n - started;
        started = n;
      }
      finish();
    }, args.timeoutMs);
    const finish = () => {
      if (done < n) return;
      clearTimeout(deadline);
      clearTimeout(timer);
      const u = usage.since();
      resolve({
        attempted: n,
        subscribed,
        failed: n - subscribed,
        failures,
        connectLatency: connectHist.toData(),
        firstStart,
        lastDone,
        cpu: u.cpu,
        elu: u.elu,
        wall: u.wall,
      });
    };
    const settle = (s: Sock, startedAt: number, ok: boolean, reason?: string) => {
      inFlight--;
      done++;
      lastDone = monoMicros();
      if (ok) {
        subscribed++;
        connectHist.record(lastDone - startedAt);
      } else bump(failures, reason ?? 'failed');
      if (done % progressEvery === 0) emitEvent('progress', { done, subscribed });
      pump();
      finish();
    };
    const openOne = (index: number) => {
      const s = socks[index]!;
      const startedAt = monoMicros();
      if (firstStart === 0) firstStart = startedAt;
      inFlight++;
      let settled = false;
      const once = (ok: boolean, reason?: string) => {
        if (settled) return;
        settled = true;
        settle(s, startedAt, ok, reason);
      };
      const proto = socketProtocol(args.protocol ?? 'threadcast', {
        channel: channels[s.channel]!,
        ...(args.hmacSecret ? { hmacSecret: args.hmacSecret } : {}),
        // One user per receiver process, its sockets that user's connections (one token).
        user: `bench-${process.pid}`,
      });
      const onMessage = (message: Buffer) => {
        if (onEvent(s, message)) return;
        const out = proto.control(message);
        if (out.reply !== undefined) s.ws!.sendText(out.reply);
        if (out.subscribed) {
          s.subscribed = true;
          once(true);
        }
        if (out.notice !== undefined) bump(controlErrors, out.notice);
        if (out.error !== undefined) {
          bump(controlErrors, out.error);
          if (!s.subscribed) once(false, `error ${out.error}`);
        }
      };
      s.ws = openClient(
        args.impl,
        args.url,
        { timeoutMs: args.timeoutMs, ...(args.localAddress ? { localAddress: args.localAddress } : {}) },
        {
          onOpen: () => s.ws!.sendText(proto.opening()),
          onMessage: (data) => proto.messages(data, onMessage),
          onError: (reason) => once(false, reason),
          onClose: (code) => {
            s.gone = true;
            if (s.closing) return closeWaiters?.();
            if (!s.subscribed) return once(false, `closed ${code}`);
            bump(closedByServer, String(code));
          },
        },
      );
    };
    const pump = () => {
      clearTimeout(timer);
      timer = undefined;
      while (started < n && inFlight < args.concurrency) {
        if (args.rate > 0) {
          const due = ((monoMicros() - t0) / 1e6) * args.rate;
          if (started >= due) {
            const wait = ((started + 1) / args.rate) * 1000 - (monoMicros() - t0) / 1000;
            timer = setTimeout(pump, Math.max(1, wait));
            return;
          }
        }
        openOne(base + started++);
      }
    };
    if (n === 0) return finish();
    pump();
  });
}

function reset(): void {
  mark = markUsage();
  hist = createHistogram();
  acceptHist = createHistogram();
  windowArrived = 0;
  windowBytes = 0;
  firstArrival = 0;
  lastArrival = 0;
}

function stats(args: StatsArgs = {}): ReceiverStats {
  const u = mark.since();
  let open = 0;
  for (const s of socks) if (s.ws?.open) open++;
  const result: ReceiverStats = {
    sockets: socks.length,
    open,
    arrived,
    duplicates,
    outOfOrder,
    closedByServer: { ...closedByServer },
    controlErrors: { ...controlErrors },
    window: {
      arrived: windowArrived,
      bytes: windowBytes,
      firstArrival,
      lastArrival,
      latency: hist.toData(),
      acceptLatency: acceptHist.toData(),
    },
    usage: u,
  };
  if (args.expected) {
    // Per channel: n (events 0..n-1) or the exact sequence numbers that were sent.
    let expected = 0;
    let got = 0;
    let socketsShort = 0;
    const lists = args.expected.map((e) => (typeof e === 'number' ? undefined : e));
    for (const s of socks) {
      const e = args.expected[s.channel] ?? 0;
      const list = lists[s.channel];
      let mine = 0;
      if (list === undefined) {
        const n = e as number;
        expected += n;
        for (let q = 0; q < n; q++) if (s.seen.has(q)) mine++;
      } else {
        expected += list.length;
        for (const q of list) if (s.seen.has(q)) mine++;
      }
      got += mine;
      if (mine < (list?.length ?? (e as number))) socketsShort++;
    }
    result.expected = expected;
    result.expectedArrived = got;
    result.socketsShort = socketsShort;
    result.unexpected = arrived - got;
  }
  return result;
}

function close(): Promise<void> {
  const live = socks.filter((s) => s.ws && !s.gone);
  for (const s of socks) s.closing = true;
  socks = [];
  // Each socket reports its end through onClose, which counts down here.
  return new Promise((resolve) => {
    let left = live.length;
    if (left === 0) return resolve();
    const timer = setTimeout(() => {
      closeWaiters = undefined;
      for (const s of live) s.ws!.terminate();
      resolve();
    }, 3000);
    closeWaiters = () => {
      if (--left > 0) return;
      clearTimeout(timer);
      closeWaiters = undefined;
      resolve();
    };
    for (const s of live) {
      if (s.ws!.open) s.ws!.close(1000);
      else s.ws!.terminate();
    }
  });
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

serveCommands({
  open: (args: OpenArgs) => open(args),
  reset: () => reset(),
  stats: (args: StatsArgs) => stats(args),
  close: async () => {
    await close();
    // The next phase (another server) starts from zero.
    arrived = 0;
    duplicates = 0;
    outOfOrder = 0;
    controlErrors = {};
    closedByServer = {};
    reset();
    gc();
  },
});
