import type { RetryOptions } from 'kafkajs';

/**
 * How every consumer here retries a failed fetch round. kafkajs fetches from all the leaders in
 * one round, and one broker refusing connections fails the round for every partition, until the
 * controller fences that broker (`broker.session.timeout.ms`, 9 s by default) and a metadata
 * refresh (each failed connect makes one) drops it. With the client's retry (up to 5 s apart, 8
 * times) a consumer gave up after about 5 s, left its group through a coordinator that could be
 * the lost broker, and restarted: readers of live partitions saw pauses of 25 to 40 s after a
 * broker loss. Retrying at most a second apart for about a minute rides it out with a pause of
 * the fencing time and a second.
 */
export const CONSUMER_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 1000, retries: 60 };
