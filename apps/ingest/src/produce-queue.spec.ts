import type { OutRecord } from '@threadcast/kafka';
import { Histogram, Registry } from 'prom-client';
import { FAILING_FOR_MS, createProduceQueue, recordBytes, type RecordSender } from './produce-queue';

const record = (value = 'v'): OutRecord => ({ topic: 't', key: 'k', value, headers: { h: 'x' } });

/** A producer that holds every send until told, and drops a send whose signal aborts. */
function heldProducer() {
  const held: { records: OutRecord[]; resolve(): void; reject(e: unknown): void }[] = [];
  const dropped: OutRecord[][] = [];
  const producer: RecordSender = {
    send: (records, opts) =>
      new Promise<void>((resolve, reject) => {
        const entry = { records, resolve, reject };
        held.push(entry);
        opts?.signal?.addEventListener('abort', () => {
          held.splice(held.indexOf(entry), 1);
          dropped.push(records);
          reject(opts.signal!.reason);
        });
      }),
  };
  return { producer, held, dropped };
}

describe('createProduceQueue', () => {
  const histogram = () =>
    new Histogram({ name: 'h', help: 'h', labelNames: ['outcome'], registers: [new Registry()] });
  const outcomes = async (h: Histogram<'outcome'>) =>
    (await h.get()).values
      .filter((v) => v.metricName === 'h_count')
      .map((v) => [v.labels.outcome, v.value])
      .sort();

  it('counts what records weigh: keys, values and headers', () => {
    expect(recordBytes([record('vv'), { topic: 't', key: Buffer.from('kk'), value: null }])).toBe(
      1 + 2 + 2 + 2,
    );
  });

  it('resolves once the producer resolved, timing the outcome', async () => {
    const h = histogram();
    const sent: unknown[] = [];
    const q = createProduceQueue(
      { send: async (r) => void sent.push(...r) },
      { maxBytes: 100, timeoutMs: 1000, produceSeconds: h },
    );
    await q.send([record()]);
    expect(sent).toEqual([record()]);
    expect(q.queuedBytes).toBe(0);
    expect(await outcomes(h)).toEqual([['ok', 1]]);
  });

  it('turns a producer error into 503 kafka_unavailable with Retry-After', async () => {
    const cause = new Error('NOT_LEADER');
    const q = createProduceQueue({ send: () => Promise.reject(cause) }, { maxBytes: 100, timeoutMs: 1000 });
    const e = await q.send([record()]).catch((x: unknown) => x);
    expect(e).toMatchObject({
      status: 503,
      code: 'kafka_unavailable',
      headers: { 'retry-after': '1' },
      cause,
    });
  });

  it('drops what timed out, so it is never written later, and frees its bytes', async () => {
    const h = histogram();
    const p = heldProducer();
    const q = createProduceQueue(p.producer, { maxBytes: 100, timeoutMs: 50, produceSeconds: h });
    const e = await q.send([record()]).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 503, code: 'kafka_unavailable' });
    expect(p.dropped).toEqual([[record()]]);
    expect(p.held).toEqual([]);
    expect(q.queuedBytes).toBe(0);
    expect(await outcomes(h)).toEqual([['timeout', 1]]);
  });

  it('answers 503 at once, without producing, when the bytes waiting for Kafka would pass the bound', async () => {
    const h = histogram();
    const p = heldProducer();
    const size = recordBytes([record()]);
    const q = createProduceQueue(p.producer, { maxBytes: 2 * size, timeoutMs: 60_000, produceSeconds: h });
    const first = q.send([record()]);
    const second = q.send([record()]);
    expect(q.queuedBytes).toBe(2 * size);
    const third = await q.send([record()]).catch((x: unknown) => x);
    expect(third).toMatchObject({ status: 503, code: 'kafka_unavailable' });
    expect(p.held).toHaveLength(2);
    // Acknowledged records free their bytes: the next write fits again.
    p.held.splice(0).forEach((s) => s.resolve());
    await Promise.all([first, second]);
    expect(q.queuedBytes).toBe(0);
    const fourth = q.send([record()]);
    p.held.splice(0).forEach((s) => s.resolve());
    await fourth;
    expect(await outcomes(h)).toEqual([
      ['ok', 3],
      ['queue_full', 1],
    ]);
  });

  it('is failing after a failed produce, until one succeeds or FAILING_FOR_MS pass', async () => {
    const t = { now: 0 };
    let fail = true;
    const q = createProduceQueue(
      { send: async () => (fail ? Promise.reject(new Error('no')) : undefined) },
      { maxBytes: 100, timeoutMs: 1000, now: () => t.now },
    );
    expect(q.isFailing()).toBe(false);
    await q.send([record()]).catch(() => undefined);
    expect(q.isFailing()).toBe(true);
    t.now += FAILING_FOR_MS;
    expect(q.isFailing()).toBe(false);
    await q.send([record()]).catch(() => undefined);
    expect(q.isFailing()).toBe(true);
    fail = false;
    await q.send([record()]);
    expect(q.isFailing()).toBe(false);
  });
});
