import type { Logger } from '@threadcast/runtime';
import type { Admin, Kafka } from 'kafkajs';
import { missingTopics } from './provision-topics';

export interface KafkaHealth {
  /** Kafka answered the last probe and every required topic exists. */
  isHealthy(): boolean;
  stop(): Promise<void>;
}

/**
 * Probes the cluster every `intervalMs` (list topics) so readiness reflects an outage within
 * seconds, whatever the stage is doing. Logs transitions, not every probe.
 */
export async function watchKafka(opts: {
  kafka: Kafka;
  topics: string[];
  logger: Logger;
  intervalMs?: number;
  probeTimeoutMs?: number;
  /** An outage this long is logged at ERROR (once per outage): someone must look at the brokers. */
  errorAfterMs?: number;
}): Promise<KafkaHealth> {
  const admin: Admin = opts.kafka.admin({ retry: { retries: 0 } });
  let healthy = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const probeTimeoutMs = opts.probeTimeoutMs ?? 4000;
  const errorAfterMs = opts.errorAfterMs ?? 60_000;
  /** Since when the probes fail (from the start, until the first success); undefined while healthy. */
  let unhealthySince: number | undefined = Date.now();
  let reported = false;
  const probe = async () => {
    let now = false;
    try {
      // kafkajs retries connects on its own schedule; bound the probe so an outage shows fast.
      const missing = await withTimeout(
        untilAnswered(() => admin.connect().then(() => missingTopics(admin, opts.topics)), probeTimeoutMs),
        probeTimeoutMs,
      );
      now = missing.length === 0;
      if (!now && healthy) opts.logger.warn({ missing }, 'required topics are missing');
    } catch (e) {
      if (healthy) opts.logger.warn({ err: e }, 'Kafka is unreachable');
      // Lines about lost connections are warnings (kafka-log-level.ts); one that lasts is not.
      if (!reported && unhealthySince !== undefined && Date.now() - unhealthySince >= errorAfterMs) {
        reported = true;
        opts.logger.error(
          { err: e, forMs: Date.now() - unhealthySince },
          'Kafka has been unreachable for a while: check the brokers and KAFKA_BROKERS',
        );
      }
    }
    if (now && !healthy) opts.logger.info('Kafka reachable and topics present');
    if (now) {
      unhealthySince = undefined;
      reported = false;
    } else unhealthySince ??= Date.now();
    healthy = now;
    if (!stopped) timer = setTimeout(probe, opts.intervalMs ?? 3000);
  };
  await probe();
  return {
    isHealthy: () => healthy,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

/**
 * Tries `work` again, 100 ms apart, until it succeeds or `forMs` passed. kafkajs asks a
 * random known broker for metadata and gives up when that one refuses the connection, so one
 * broker of three being restarted failed a third of the probes, and ingest answered 503 to every
 * write until the next one.
 */
async function untilAnswered<T>(work: () => Promise<T>, forMs: number): Promise<T> {
  const started = performance.now();
  for (;;) {
    try {
      return await work();
    } catch (e) {
      if (performance.now() - started + 100 >= forMs) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka probe timed out after ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
