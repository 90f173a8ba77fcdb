import { createMetricsRegistry } from './metrics';
import { startOpsServer } from './ops-server';
import { createReadiness } from './readiness';

describe('ops server', () => {
  it('serves health, readiness with failing checks, and metrics', async () => {
    const readiness = createReadiness();
    let kafkaUp = false;
    readiness.add('kafka', () => kafkaUp);
    const registry = createMetricsRegistry('test');
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', readiness, registry });
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'not ready', failing: ['kafka'] });
      kafkaUp = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      readiness.drain();
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        status: 'not ready',
        failing: ['shutting-down'],
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('process_cpu_user_seconds_total{service="test"}');
      const missing = await fetch(`${base}/nope`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    } finally {
      await ops.close();
    }
  });
});
