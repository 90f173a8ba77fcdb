export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  initialMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };

/**
 * Full jitter: a random delay under a ceiling that doubles with each failed attempt. When a
 * gateway pod restarts, its sockets come back spread over the whole window instead of in
 * synchronized waves that would knock over the pods they land on.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
