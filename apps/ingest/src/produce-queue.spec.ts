import { Histogram, Registry } from 'prom-client';
import { sendWithTimeout } from './send-with-timeout';

const record = { topic: 't', key: 'k', value: 'v' };

describe('sendWithTimeout', () => {
  const histogram = () =>
    new Histogram({ name: 'h', help: 'h', labelNames: ['outcome'], registers: [new Registry()] });

  it('resolves once the producer resolved, timing the outcome', async () => {
    const h = histogram();
    const sent: unknown[] = [];
    await sendWithTimeout({ send: async (r) => void sent.push(...r) }, [record], 1000, h);
    expect(sent).toEqual([record]);
    expect((await h.get()).values.find((v) => v.metricName === 'h_count')?.labels).toEqual({ outcome: 'ok' });
  });

  it('turns a producer error into 503 kafka_unavailable with Retry-After', async () => {
    const cause = new Error('NOT_LEADER');
    const e = await sendWithTimeout({ send: () => Promise.reject(cause) }, [record], 1000).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({
      status: 503,
      code: 'kafka_unavailable',
      headers: { 'retry-after': '1' },
      cause,
    });
  });

  it('gives up after the timeout', async () => {
    const h = histogram();
    const started = Date.now();
    const e = await sendWithTimeout({ send: () => new Promise(() => undefined) }, [record], 50, h).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ status: 503, code: 'kafka_unavailable' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await h.get()).values.find((v) => v.metricName === 'h_count')?.labels).toEqual({
      outcome: 'timeout',
    });
  });
});
