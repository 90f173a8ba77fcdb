import { createAckTracker } from './ack-tracker';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('ack tracker', () => {
  it('commits a partition only up to batches whose outputs, and all before them, were acknowledged', async () => {
    const t = createAckTracker();
    const a = deferred();
    const b = deferred();
    t.track(0, '0', '10', a.promise, 3);
    t.track(0, '10', '20', b.promise, 2);
    t.track(1, '5', '6', undefined, 0);
    await turn();
    expect(t.inFlight()).toBe(5);
    // Partition 1 produced nothing: acknowledged at once. Partition 0 waits for its first batch.
    expect(t.uncommitted()).toEqual([{ partition: 1, offset: '6' }]);
    b.resolve();
    await turn();
    expect(t.uncommitted()).toEqual([{ partition: 1, offset: '6' }]);
    a.resolve();
    await turn();
    expect(t.inFlight()).toBe(0);
    expect(t.uncommitted()).toEqual([
      { partition: 0, offset: '20' },
      { partition: 1, offset: '6' },
    ]);
    t.markCommitted([{ partition: 0, offset: '20' }]);
    expect(t.uncommitted()).toEqual([{ partition: 1, offset: '6' }]);
  });

  it('an empty batch behind one in flight waits for it', async () => {
    const t = createAckTracker();
    const a = deferred();
    t.track(0, '0', '4', a.promise, 1);
    t.track(0, '4', '9', undefined, 0);
    await turn();
    expect(t.uncommitted()).toEqual([]);
    a.resolve();
    await turn();
    expect(t.uncommitted()).toEqual([{ partition: 0, offset: '9' }]);
  });

  it('after a failure, restarts each partition at its last acknowledged offset (or the first seen) and moves no further', async () => {
    const t = createAckTracker();
    const ok = deferred();
    const failed = deferred();
    const behind = deferred();
    t.track(0, '100', '110', ok.promise, 1);
    t.track(0, '110', '120', failed.promise, 1);
    t.track(1, '7', '9', behind.promise, 1);
    t.track(0, '120', '130', undefined, 0);
    ok.resolve();
    failed.reject(new Error('MESSAGE_TOO_LARGE'));
    let settled = false;
    const done = t.settled().then(() => (settled = true));
    await turn();
    // Not settled while a send is still in flight, even though partition 0's tail already failed.
    expect(settled).toBe(false);
    behind.reject(new Error('failed with the one before it'));
    await done;
    expect(t.restartPoints()).toEqual([
      { partition: 0, offset: '110' },
      { partition: 1, offset: '7' },
    ]);
    expect(t.uncommitted()).toEqual([{ partition: 0, offset: '110' }]);
  });

  it('wakes a waiter at the next acknowledgement', async () => {
    const t = createAckTracker();
    await t.nextSettle();
    const a = deferred();
    t.track(3, '0', '1', a.promise, 5000);
    let woke = false;
    void t.nextSettle().then(() => (woke = true));
    await turn();
    expect(woke).toBe(false);
    a.resolve();
    await turn();
    expect(woke).toBe(true);
    expect(t.inFlight()).toBe(0);
  });
});
