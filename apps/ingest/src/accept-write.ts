import { createHash } from 'node:crypto';
import type { OutRecord } from '@threadcast/kafka';
import { HttpError, kafkaUnavailable } from './http-error';
import type { IdempotencyCache } from './idempotency-cache';
import type { RateLimiter } from './rate-limiter';
import type { ProduceQueue } from './produce-queue';
import { writeIds, type WriteIds } from './write-ids';

/** One write the API accepts: what it is, who is writing, and how to turn it into records. */
export interface Write<A extends object> {
  /** Route and path ids (see writeScope): with the caller and the Idempotency-Key, it names the write. */
  scope: string;
  /**
   * The API key's caller name. Idempotency keys are the caller's own: another caller sending the
   * same key gets neither this caller's answer nor its ids.
   */
  caller: string;
  idempotencyKey: string | undefined;
  /** The parsed request body; a retry with the same key must carry the same one. */
  body: unknown;
  /** Whose token bucket the write draws on. */
  rateKey: string;
  build(ids: WriteIds, acceptedAt: Date): { records: OutRecord[]; answer: A };
}

export interface WriteDeps {
  /** Resolves once Kafka acknowledged; rejects with 503 when it did not (see ProduceQueue). */
  producer: Pick<ProduceQueue, 'send'>;
  /** False while Kafka is known to be away: writes are refused at once instead of timing out. */
  isKafkaHealthy(): boolean;
  limiter: RateLimiter;
  cache: IdempotencyCache<object>;
  now?: () => number;
}

/** Seconds a client waits when Kafka is known to be away: about one health probe. */
const KAFKA_DOWN_RETRY_AFTER = 5;

/**
 * Accepts a write: answers a retried Idempotency-Key from the cache; otherwise refuses while
 * Kafka is away, applies the author's rate limit, produces and resolves once Kafka acknowledged.
 */
export function createWriteAcceptor(deps: WriteDeps): <A extends object>(write: Write<A>) => Promise<A> {
  const now = deps.now ?? Date.now;

  const produce = async <A extends object>(write: Write<A>): Promise<A> => {
    if (!deps.isKafkaHealthy())
      throw kafkaUnavailable('Kafka is unavailable; try again shortly', KAFKA_DOWN_RETRY_AFTER);
    const wait = deps.limiter.take(write.rateKey);
    if (wait > 0) {
      throw new HttpError(429, 'rate_limited', 'too many writes from this author; slow down', {
        headers: { 'retry-after': String(wait) },
      });
    }
    const ids = writeIds(callerScope(write), write.idempotencyKey);
    const { records, answer } = write.build(ids, new Date(now()));
    await deps.producer.send(records);
    return answer;
  };

  return <A extends object>(write: Write<A>): Promise<A> => {
    if (write.idempotencyKey === undefined) return produce(write);
    const cacheKey = `${callerScope(write)}\n${write.idempotencyKey}`;
    return deps.cache.run(cacheKey, fingerprint(write.body), () => produce(write)) as Promise<A>;
  };
}

/** The write's scope within its caller's own (names cannot hold a newline). */
function callerScope(write: Write<object>): string {
  return `${write.caller}\n${write.scope}`;
}

function fingerprint(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body) ?? '')
    .digest('base64url');
}
