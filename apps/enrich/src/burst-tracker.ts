/**
 * How many comments each author posted within the last `windowMs`, for the burst spam signal.
 *
 * Per pod and best-effort: an author's comments on threads owned by other pods are not seen,
 * the window starts empty after a restart, and a redelivered record counts again. Memory is
 * bounded: at most `maxAuthors` authors (least recently seen dropped first), and at most
 * `maxPerAuthor` times each (the score saturates well before that).
 */
export interface BurstTracker {
  /** Records a comment by `authorId` at `atMs` and returns the author's count in the window, itself included. */
  record(authorId: string, atMs: number): number;
  readonly authors: number;
}

export function createBurstTracker(
  opts: { windowMs?: number; maxAuthors?: number; maxPerAuthor?: number } = {},
): BurstTracker {
  const windowMs = opts.windowMs ?? 60_000;
  const maxAuthors = opts.maxAuthors ?? 50_000;
  const maxPerAuthor = opts.maxPerAuthor ?? 16;
  // Map order is insertion order: re-inserting on every sighting keeps it least-recent first.
  const recent = new Map<string, number[]>();
  return {
    record(authorId, atMs) {
      const times = recent.get(authorId) ?? [];
      recent.delete(authorId);
      // Event time, not wall time: replaying a backlog must not look like a burst.
      const since = atMs - windowMs;
      let keep = 0;
      for (const t of times) if (t > since) times[keep++] = t;
      times.length = keep;
      times.push(atMs);
      if (times.length > maxPerAuthor) times.shift();
      recent.set(authorId, times);
      if (recent.size > maxAuthors) recent.delete(recent.keys().next().value!);
      return times.length;
    },
    get authors() {
      return recent.size;
    },
  };
}
