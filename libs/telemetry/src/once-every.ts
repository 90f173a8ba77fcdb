/**
 * Wraps `log` so it runs at most once per `intervalMs`; calls in between are counted and the
 * count is passed along with the next one that gets through.
 */
export function onceEvery(
  intervalMs: number,
  log: (message: string, suppressed: number) => void,
  now: () => number = Date.now,
): (message: string) => void {
  let last = -Infinity;
  let suppressed = 0;
  return (message) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed++;
      return;
    }
    last = t;
    log(message, suppressed);
    suppressed = 0;
  };
}
