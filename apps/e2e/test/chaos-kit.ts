import { createClient, type Client, type WebSocketConstructor } from '@threadcast/client';
import type { ClientEvent } from '@threadcast/contracts';
import WebSocket from 'ws';
import { isReady, type RunningService } from './services';
import { sleep, waitUntil } from '@threadcast/test-support';

// What the chaos suites share: steady comment traffic through ingest, libs/client subscribers that
// record what the application saw and what the wire carried, and the final comparison of the two.

export interface Ack {
  id: string;
  eventId: string;
}

export interface Traffic {
  /** Comments ingest answered 202 for, per thread, in posting order. */
  readonly acked: Map<string, Ack[]>;
  /**
   * Every answer, in time order: the status, or 'error' when the request got no answer; when the
   * request was sent (`startedAt`) and answered (`at`), for the `n`th comment of `thread`.
   */
  readonly answers: { at: number; status: number | 'error'; startedAt: number; thread: string; n: number }[];
  /** Comments acknowledged so far, all threads. */
  ackedCount(): number;
  /** Answers other than 202 so far, by status. */
  refused(): Record<string, number>;
  /** Waits until `n` more comments were acknowledged (traffic is flowing). */
  waitForAcks(n: number, timeoutMs?: number): Promise<void>;
  /** Finishes the requests in flight and posts no more. */
  stop(): Promise<void>;
}

/**
 * Posts comments to each thread one after another (so posting order is the order a thread must
 * be delivered in) at `perSecond` per thread, until stopped. Requests that fail are not retried:
 * only what ingest acknowledged must arrive.
 */
export function startTraffic(opts: {
  ingestUrl: string;
  threads: string[];
  perSecond: number;
  /** Each comment's author; spread over a few so that no author trips the spam score. */
  author(thread: string, n: number): string;
}): Traffic {
  const acked = new Map<string, Ack[]>(opts.threads.map((t) => [t, []]));
  const answers: Traffic['answers'] = [];
  let stopped = false;
  const interval = 1000 / opts.perSecond;
  const loop = async (thread: string) => {
    for (let n = 0; !stopped; n++) {
      const started = Date.now();
      let status: number | 'error' = 'error';
      try {
        const res = await fetch(`${opts.ingestUrl}/v1/threads/${thread}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ author: { id: opts.author(thread, n) }, body: `chaos ${thread} #${n}` }),
          signal: AbortSignal.timeout(20_000),
        });
        status = res.status;
        const body = (await res.json()) as Ack;
        if (status === 202) acked.get(thread)!.push({ id: body.id, eventId: body.eventId });
      } catch {
        // Refused connection (ingest down), reset mid-request, timeout: not acknowledged.
      }
      answers.push({ at: Date.now(), status, startedAt: started, thread, n });
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  };
  const loops = opts.threads.map(loop);
  const ackedCount = () => [...acked.values()].reduce((n, l) => n + l.length, 0);
  return {
    acked,
    answers,
    ackedCount,
    refused() {
      const out: Record<string, number> = {};
      for (const a of answers) if (a.status !== 202) out[a.status] = (out[a.status] ?? 0) + 1;
      return out;
    },
    async waitForAcks(n, timeoutMs = 60_000) {
      const target = ackedCount() + n;
      await waitUntil(`${n} more acknowledged comments`, () => ackedCount() >= target, timeoutMs);
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export interface SeenEvent {
  /** When the application was given it (Date.now()). */
  at: number;
  type: string;
  eventId: string;
  id: string;
  event: ClientEvent;
}

/** A libs/client client subscribed to some channels, recording both sides of its dedupe. */
export interface Watcher {
  readonly client: Client;
  /** Per channel: the events the application was given (after the library dropped duplicates). */
  readonly seen: Map<string, SeenEvent[]>;
  /** Per channel: the event id of every event frame the server sent, duplicates included. */
  readonly wire: Map<string, string[]>;
  /** Frames that were not protocol v1 (the library ignored them). */
  readonly invalidFrames: number;
  readonly resets: number;
  /** Times the socket went away and the client reconnected. */
  readonly reconnects: number;
  /** Resolves once the server confirmed every subscription. */
  subscribed(): Promise<void>;
  close(): void;
}

export function watch(url: string, channels: string[]): Watcher {
  const seen = new Map<string, SeenEvent[]>(channels.map((c) => [c, []]));
  const wire = new Map<string, string[]>(channels.map((c) => [c, []]));
  const counts = { invalidFrames: 0, resets: 0, reconnects: 0 };
  class WireRecorder extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data) => {
        let frame: { op?: unknown; channel?: unknown; event?: { eventId?: unknown } };
        try {
          frame = JSON.parse(data.toString());
        } catch {
          counts.invalidFrames++;
          return;
        }
        if (frame?.op !== 'event') return;
        const list = wire.get(String(frame.channel));
        if (list && typeof frame.event?.eventId === 'string') list.push(frame.event.eventId);
        else counts.invalidFrames++;
      });
    }
  }
  const client = createClient({
    url,
    WebSocketImpl: WireRecorder as unknown as WebSocketConstructor,
    backoff: { initialMs: 100, maxMs: 1000 },
    onStateChange(state) {
      if (state === 'reconnecting') counts.reconnects++;
    },
  });
  for (const channel of channels) {
    client.subscribe(channel, {
      onEvent(event: ClientEvent) {
        seen
          .get(channel)!
          .push({ at: Date.now(), type: event.type, eventId: event.eventId, id: event.id, event });
      },
      onReset() {
        counts.resets++;
      },
    });
  }
  return {
    client,
    seen,
    wire,
    get invalidFrames() {
      return counts.invalidFrames;
    },
    get resets() {
      return counts.resets;
    },
    get reconnects() {
      return counts.reconnects;
    },
    async subscribed() {
      await waitUntil(
        `subscriptions to ${channels.join(', ')}`,
        () => channels.every((c) => client.cursor(c) !== undefined),
        30_000,
      );
    },
    close: () => client.close(),
  };
}

export interface DeliveryFigures {
  /** Comments ingest acknowledged. */
  acknowledged: number;
  /** Acknowledged comments shown to subscribed sockets, summed over sockets. */
  delivered: number;
  /** Deliveries expected: acknowledged comments times the sockets subscribed to their thread. */
  expected: number;
  /** Comments shown that ingest had not acknowledged (a 5xx whose write still went through). */
  unacknowledgedShown: number;
  /** Event frames the server sent more than once to a socket (reprocessing after a fault). */
  wireDuplicates: number;
  /** Events shown to an application more than once: must be 0. */
  duplicatesShown: number;
}

/**
 * Waits until every watcher has been shown every acknowledged comment of the threads it watches,
 * then checks what the issue asks: complete, in posting order per thread, the event ids ingest
 * answered, and no event shown twice. Throws with the first difference.
 */
export async function expectDelivered(
  traffic: Traffic,
  watchers: Watcher[],
  timeoutMs = 90_000,
): Promise<DeliveryFigures> {
  const channelOf = (thread: string) => `thread:${thread}`;
  const pairs = watchers.flatMap((w) =>
    [...traffic.acked.keys()].filter((t) => w.seen.has(channelOf(t))).map((t) => ({ w, t })),
  );
  const missing = () =>
    pairs.reduce((n, { w, t }) => {
      const shown = new Set(w.seen.get(channelOf(t))!.map((e) => e.id));
      return n + traffic.acked.get(t)!.filter((a) => !shown.has(a.id)).length;
    }, 0);
  await waitUntil(
    'every acknowledged comment on every socket',
    () => missing() === 0,
    timeoutMs,
    () => `${missing()} deliveries missing`,
  );
  // Duplicates from reprocessing come before the newest records; give stragglers a moment.
  await sleep(500);

  const figures: DeliveryFigures = {
    acknowledged: traffic.ackedCount(),
    delivered: 0,
    expected: 0,
    unacknowledgedShown: 0,
    wireDuplicates: 0,
    duplicatesShown: 0,
  };
  for (const { w, t } of pairs) {
    const channel = channelOf(t);
    const acks = traffic.acked.get(t)!;
    const ackById = new Map(acks.map((a) => [a.id, a]));
    const shown = w.seen.get(channel)!;
    const created = shown.filter((e) => e.type === 'comment.created');
    figures.expected += acks.length;
    figures.delivered += created.filter((e) => ackById.has(e.id)).length;
    figures.unacknowledgedShown += created.filter((e) => !ackById.has(e.id)).length;
    figures.duplicatesShown += shown.length - new Set(shown.map((e) => e.eventId)).size;
    const onWire = w.wire.get(channel)!;
    figures.wireDuplicates += onWire.length - new Set(onWire).size;

    // In posting order: the acknowledged ones, as shown, are exactly the posting sequence.
    expect(created.filter((e) => ackById.has(e.id)).map((e) => e.id)).toEqual(acks.map((a) => a.id));
    // Event ids are the ones ingest answered with: stable through every stage and every retry.
    for (const e of created) {
      const ack = ackById.get(e.id);
      if (ack) expect(e.eventId).toBe(ack.eventId);
    }
  }
  expect(figures.duplicatesShown).toBe(0);
  expect(figures.delivered).toBe(figures.expected);
  return figures;
}

/** Polls /readyz of each service until stopped; records every change. */
export function trackReadiness(
  services: () => RunningService[],
  /** What a service is called in `history` and `changes`: its name unless two share one. */
  label: (s: RunningService) => string = (s) => s.name,
) {
  const history = new Map<string, boolean[]>();
  const changes: { service: string; ready: boolean; at: number }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const list = services();
      const states = await Promise.all(list.map((s) => isReady(s)));
      list.forEach((s, i) => {
        const name = label(s);
        const h = history.get(name) ?? [];
        if (h.at(-1) !== states[i]) {
          h.push(states[i]!);
          changes.push({ service: name, ready: states[i]!, at: Date.now() });
        }
        history.set(name, h);
      });
      await sleep(250);
    }
  })();
  return {
    /** Per service, its readiness each time it changed, e.g. [true, false, true]. */
    history,
    /** Every change of every service, in time order. */
    changes,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The longest time between two consecutive events a watcher was shown on `channel`, across the
 * watchers (the outage as a reader saw it), when it began, and the event that ended it.
 */
export function longestDeliveryGap(
  watchers: Watcher[],
  channel: string,
): { ms: number; from: number; end?: SeenEvent } {
  let longest: { ms: number; from: number; end?: SeenEvent } = { ms: 0, from: 0 };
  for (const w of watchers) {
    const seen = w.seen.get(channel) ?? [];
    for (let i = 1; i < seen.length; i++) {
      const ms = seen[i]!.at - seen[i - 1]!.at;
      if (ms > longest.ms) longest = { ms, from: seen[i - 1]!.at, end: seen[i] };
    }
  }
  return longest;
}

/** Figures of a suite, printed once at its end for the closing note. */
export function createFigures(suite: string) {
  const totals: Record<string, number> = {};
  return {
    add(figures: object) {
      for (const [k, v] of Object.entries(figures))
        if (typeof v === 'number') totals[k] = (totals[k] ?? 0) + v;
    },
    print() {
      console.log(`chaos figures (${suite}): ${JSON.stringify(totals)}`);
    },
  };
}

export { sleep, waitUntil };
