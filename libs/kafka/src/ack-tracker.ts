/** A partition's offset as kafkajs writes it: a decimal string. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/**
 * Which input offsets a stage may commit: those whose outputs the broker acknowledged. The stage
 * hands each batch's outputs to the producer without waiting, and tells the tracker; the tracker
 * learns of the acknowledgements as they come. Sends are acknowledged in the order they were
 * made (the keyed producer has one request in flight), and a partition's batches come in offset
 * order, so a partition's acknowledged offset only moves forward.
 *
 * One tracker per consumer-group generation: after a rebalance the group starts from the
 * committed offsets, and acknowledgements of the generation before must not move anything.
 */
export interface AckTracker {
  /**
   * A batch of `partition` whose first record is `first`, handled up to `next` (the offset after
   * its last handled record); `sent` settles when its outputs are acknowledged or failed
   * (undefined: it produced nothing, and is acknowledged once the batches before it are).
   */
  track(
    partition: number,
    first: string,
    next: string,
    sent: Promise<void> | undefined,
    records: number,
  ): void;
  /** Acknowledged offsets not committed yet. */
  uncommitted(): PartitionOffset[];
  markCommitted(offsets: readonly PartitionOffset[]): void;
  /**
   * Where each partition seen must be read again from so that nothing unacknowledged is lost:
   * its acknowledged offset, or the first offset this tracker saw of it.
   */
  restartPoints(): PartitionOffset[];
  /** Records handed to the producer and not acknowledged or failed yet. */
  inFlight(): number;
  /** Resolves at the next acknowledgement or failure (at once when nothing is in flight). */
  nextSettle(): Promise<void>;
  /** Resolves when everything handed over so far has been acknowledged or has failed. */
  settled(): Promise<void>;
}

interface PartitionState {
  /** First offset seen, then the acknowledged one: where to restart from. */
  restart: string;
  acked: string | undefined;
  committed: string | undefined;
  /** Settles when this partition's latest batch is acknowledged (rejects if any failed). */
  tail: Promise<void>;
}

export function createAckTracker(): AckTracker {
  const partitions = new Map<number, PartitionState>();
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  return {
    track(partition, first, next, sent, records) {
      let s = partitions.get(partition);
      if (!s) {
        s = { restart: first, acked: undefined, committed: undefined, tail: Promise.resolve() };
        partitions.set(partition, s);
      }
      const state = s;
      if (sent) {
        inFlight += records;
        const settle = () => {
          inFlight -= records;
          wake();
        };
        sent.then(settle, settle);
      }
      const before = state.tail;
      state.tail = (sent ? Promise.all([before, sent]) : before).then(() => {
        state.acked = next;
        state.restart = next;
      });
      // A failure is the stage's to handle (it rewinds to the restart points); here it only
      // stops this partition's acknowledged offset from moving.
      state.tail.catch(() => undefined);
    },
    uncommitted() {
      const out: PartitionOffset[] = [];
      for (const [partition, s] of partitions) {
        if (s.acked !== undefined && s.acked !== s.committed) out.push({ partition, offset: s.acked });
      }
      return out;
    },
    markCommitted(offsets) {
      for (const { partition, offset } of offsets) {
        const s = partitions.get(partition);
        if (s) s.committed = offset;
      }
    },
    restartPoints: () => [...partitions].map(([partition, s]) => ({ partition, offset: s.restart })),
    inFlight: () => inFlight,
    nextSettle() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async settled() {
      // The sends themselves, not only the tails: a tail behind a failed one rejects at once.
      while (inFlight > 0) await new Promise<void>((resolve) => waiters.push(resolve));
      await Promise.allSettled([...partitions.values()].map((s) => s.tail));
    },
  };
}
