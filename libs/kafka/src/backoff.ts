/** Full-jitter exponential backoff: a random wait up to min(max, base * 2^attempt). */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 10_000, random = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
