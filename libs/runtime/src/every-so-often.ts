/**
 * Calls `fn` at most once per `intervalMs`, passing how many calls were skipped since, so an
 * outage that fails every request logs a line every few seconds rather than one per request.
 */
export function everySoOften<T>(
  intervalMs: number,
  fn: (value: T, skipped: number) => void,
  now: () => number = Date.now,
): (value: T) => void {
  let last = -Infinity;
  let skipped = 0;
  return (value) => {
    const t = now();
    if (t - last < intervalMs) {
      skipped++;
      return;
    }
    last = t;
    fn(value, skipped);
    skipped = 0;
  };
}
