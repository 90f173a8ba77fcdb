/**
 * Load generator for the fan-out scenario: produces events to `deliveries` the way route does
 * (key = thread id, headers tc-channel and tc-accepted-at, value = the frame minus its cursor),
 * or, for Centrifugo (`sink`), the same events to its topic (the event as the value, the channel
 * in its header),
 * round-robin over the channels, at a rate or flat out. Each event is stamped with the
 * monotonic clock when it is made and handed to the producer: the injection time.
 */
import { channelKey, HEADERS, SCHEMA_IDS, TOPICS } from '@threadcast/contracts';
import { createKeyedProducer, type KeyedProducer, type OutRecord } from '@threadcast/kafka';
import { monoMicros } from '../clock';
import { CHANNELS_HEADER } from '../centrifugo/config';
import { eventValue } from '../event-payload';
import { emitEvent, serveCommands } from '../ipc';
import { benchKafka } from '../kafka-client';
import { markUsage } from '../self-usage';
import type { InjectArgs, InjectResult } from './injector-protocol';

/** Records per producer call, and calls in flight at once when flat out. */
const CHUNK = 250;
const MAX_IN_FLIGHT = 8;
const TICK_MS = 5;

let producer: KeyedProducer | undefined;
let nextSeq: number[] = [];
let cursor = 0;

async function connect(args: { brokers: string; channels: number }): Promise<void> {
  const { kafka } = benchKafka(args.brokers, 'threadcast-bench-injector');
  producer = createKeyedProducer(kafka, { maxBatchRecords: 1000 });
  await producer.connect();
  nextSeq = new Array<number>(args.channels).fill(0);
}

async function inject(args: InjectArgs): Promise<InjectResult> {
  if (!producer) throw new Error('inject before connect');
  const p = producer;
  const usage = markUsage();
  let made = 0;
  let acked = 0;
  let failed = 0;
  let firstT = 0;
  let lastT = 0;
  let notified = false;
  let maxBehind = 0;
  const errors = new Set<string>();

  const centrifugo = args.sink?.format === 'centrifugo';
  const topic = args.sink?.topic ?? TOPICS.deliveries;
  const make = (count: number): OutRecord[] => {
    const out: OutRecord[] = [];
    const createdAt = new Date().toISOString();
    const acceptedAt = String(Date.now());
    for (let i = 0; i < count; i++) {
      const c = cursor++ % args.channels.length;
      const channel = args.channels[c]!;
      const thread = channel.slice(channel.indexOf(':') + 1);
      const seq = nextSeq[c]!++;
      const t = monoMicros();
      if (firstT === 0) firstT = t;
      lastT = t;
      out.push({
        topic,
        key: channelKey(channel),
        value: eventValue({
          channel,
          thread,
          seq,
          tMicros: t,
          frameBytes: args.frameBytes,
          // Unique within the run's channels, short: the frame size is the benchmark's, not the ids'.
          eventId: `${c}-${seq}`,
          createdAt,
          ...(centrifugo ? { format: 'centrifugo' as const } : {}),
        }),
        headers: centrifugo
          ? { [CHANNELS_HEADER]: channel }
          : {
              [HEADERS.schemaId]: SCHEMA_IDS.deliveriesV1,
              [HEADERS.channel]: channel,
              [HEADERS.acceptedAt]: acceptedAt,
            },
      });
    }
    made += count;
    return out;
  };
  const inFlight = new Set<Promise<void>>();
  const send = (records: OutRecord[]) => {
    const sent = p.send(records).then(
      () => {
        acked += records.length;
        if (args.notifyAt !== undefined && !notified && acked >= args.notifyAt) {
          notified = true;
          emitEvent('injected', { acked });
        }
      },
      (e: unknown) => {
        failed += records.length;
        errors.add(e instanceof Error ? e.message : String(e));
      },
    );
    const tracked = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  if (args.rate <= 0) {
    while (made < args.events) {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      send(make(Math.min(CHUNK, args.events - made)));
    }
  } else {
    const start = monoMicros();
    while (made < args.events) {
      const due = Math.min(args.events, Math.floor(((monoMicros() - start) / 1e6) * args.rate));
      // Far behind schedule means the injector (or the producer behind it) is the limit.
      maxBehind = Math.max(maxBehind, due - made);
      if (due > made) send(make(due - made));
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
  }
  await Promise.all(inFlight);
  const u = usage.since();
  return {
    made,
    acked,
    failed,
    errors: [...errors].slice(0, 5),
    perChannel: [...nextSeq],
    firstT,
    lastT,
    maxBehind,
    usage: u,
  };
}

serveCommands({
  connect: (args: { brokers: string; channels: number }) => connect(args),
  inject: (args: InjectArgs) => inject(args),
  // A new phase (another server) numbers its events from 0 again.
  restart: () => {
    nextSeq.fill(0);
    cursor = 0;
  },
  disconnect: async () => {
    await producer?.disconnect();
    producer = undefined;
  },
});
