import type { Logger } from '@threadcast/runtime';
import type { Kafka } from 'kafkajs';
import { watchKafka } from './kafka-health';

/** A cluster as the probe sees it: `answers` says, probe call by call, whether metadata comes back. */
function fakeKafka(answers: boolean[]) {
  let calls = 0;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      async listTopics() {
        const ok = answers[Math.min(calls++, answers.length - 1)];
        if (!ok) throw new Error('Connection error: connect ECONNREFUSED');
        return ['comments'];
      },
    }),
  } as unknown as Kafka;
  return { kafka, calls: () => calls };
}

function fakeLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg?: string) =>
    lines.push({ level, msg: msg ?? String(_obj) });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger, lines };
}

/** Polls `done` every 20 ms, up to 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > 10_000) throw new Error('condition not met in 10 s');
  }
}

describe('watchKafka', () => {
  it('asks again within one probe when a broker refuses, so one broker restarting is no outage', async () => {
    // Two refused connections (a random broker that is down), then an answer: healthy.
    const { kafka, calls } = fakeKafka([false, false, true]);
    const { logger } = fakeLogger();
    const health = await watchKafka({
      kafka,
      topics: ['comments'],
      logger,
      intervalMs: 60_000,
      probeTimeoutMs: 2000,
    });
    expect(health.isHealthy()).toBe(true);
    expect(calls()).toBe(3);
    await health.stop();
  });

  it('reports an outage after the probe timeout, and one that lasts once at ERROR', async () => {
    const { kafka, calls } = fakeKafka([true, false]);
    const { logger, lines } = fakeLogger();
    const health = await watchKafka({
      kafka,
      topics: ['comments'],
      logger,
      intervalMs: 50,
      probeTimeoutMs: 300,
      errorAfterMs: 3000,
    });
    expect(health.isHealthy()).toBe(true);
    await until(() => !health.isHealthy());
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['Kafka is unreachable']);
    expect(lines.some((l) => l.level === 'error')).toBe(false);
    await until(() => lines.some((l) => l.level === 'error'));
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.msg)).toEqual([
      'Kafka has been unreachable for a while: check the brokers and KAFKA_BROKERS',
    ]);
    // Once per outage: more failed probes add no ERROR.
    const asked = calls();
    await until(() => calls() >= asked + 10);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    await health.stop();
  });
});
