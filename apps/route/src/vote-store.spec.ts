import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import { openLocalPartition, timeIndexKey } from '@threadcast/store';
import { applyVote, dropComment, readTally, recordCreated, recordDeleted, restoreVotes } from './vote-store';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c();
});
function partition() {
  const dir = mkdtempSync(join(tmpdir(), 'vote-store-'));
  const p = openLocalPartition(dir, 3, TOPICS.routeVotesChangelog);
  opened.push(async () => {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return p;
}
const vote = (userId: string, value: 1 | -1, commentId = 'c1') => ({
  commentId,
  threadId: 't1',
  userId,
  value,
});
const replay = (target: ReturnType<typeof partition>, records: OutRecord[]) => {
  for (const r of records)
    restoreVotes(target.restoreView, String(r.key), r.value === null ? null : Buffer.from(r.value));
};

describe('votes store', () => {
  it('writes one record of at most a few dozen bytes per vote, whatever the number of voters', () => {
    const { state } = partition();
    recordCreated(state, 'cAAAAAAAAAAAAAAAAAAAAAA', 't1', T0);
    for (let i = 0; i < 1000; i++) {
      const { record } = applyVote(state, { ...vote(`user-${i}`, 1), commentId: 'cAAAAAAAAAAAAAAAAAAAAAA' });
      expect(String(record.key).length + (record.value as Buffer).length).toBeLessThanOrEqual(40);
      expect(record.headers).toBeUndefined();
    }
    expect(readTally(state.local, 'cAAAAAAAAAAAAAAAAAAAAAA')).toEqual({ up: 1000, down: 0 });
  });

  it('restores the same tallies from the changelog into an empty store', () => {
    const { state } = partition();
    const log: OutRecord[] = [
      ...recordCreated(state, 'c1', 't1', T0),
      ...recordCreated(state, 'c2', 't1', T0),
    ];
    log.push(applyVote(state, vote('a', 1)).record, applyVote(state, vote('b', -1)).record);
    log.push(applyVote(state, vote('a', -1)).record, applyVote(state, vote('a', -1)).record);
    log.push(applyVote(state, vote('a', 1, 'c2')).record, ...recordDeleted(state, 'c2'));
    const cold = partition();
    replay(cold, log);
    expect(readTally(cold.state.local, 'c1')).toEqual({ up: 0, down: 2 });
    expect(readTally(cold.state.local, 'c2')).toBeUndefined();
    expect(cold.state.get('c/c2')).toBeUndefined();
    expect(cold.state.get('v/c1/a')).toEqual(Buffer.from('-'));
  });

  it('changes nothing when it restores records the local store already reflects', () => {
    const { state, restoreView } = partition();
    const log: OutRecord[] = [...recordCreated(state, 'c1', 't1', T0)];
    for (const u of ['a', 'b', 'c']) log.push(applyVote(state, vote(u, 1)).record);
    log.push(applyVote(state, vote('b', -1)).record);
    // A checkpoint older than the local data: the restore reads these again.
    for (const r of log)
      restoreVotes(restoreView, String(r.key), r.value === null ? null : Buffer.from(r.value));
    expect(readTally(state.local, 'c1')).toEqual({ up: 2, down: 1 });
  });

  it('counts a vote whose comment record comes later in a compacted log', () => {
    const cold = partition();
    const { state } = partition();
    const v = applyVote((recordCreated(state, 'c1', 't1', T0), state), vote('a', 1)).record;
    // The creation handled again wrote c/c1 after the vote; compaction kept only that one.
    replay(cold, [v, ...recordCreated(state, 'c1', 't1', T0)]);
    expect(readTally(cold.state.local, 'c1')).toEqual({ up: 1, down: 0 });
  });

  it('refuses a vote naming another thread than its comment', () => {
    const { state } = partition();
    recordCreated(state, 'c1', 't1', T0);
    expect(() => applyVote(state, { ...vote('a', 1), threadId: 't2' })).toThrow(/names thread t2/);
  });

  it('drops an expired comment a budget of keys at a time, its tally following, its existence last', () => {
    const { state } = partition();
    const log: OutRecord[] = [
      ...recordCreated(state, 'c1', 't1', T0),
      ...recordCreated(state, 'c2', 't1', T0),
    ];
    for (const u of ['a', 'b', 'c']) log.push(applyVote(state, vote(u, u === 'b' ? -1 : 1)).record);
    const first = dropComment(state, 'c1', 2);
    expect(first.done).toBe(false);
    expect(first.records.map((r) => [r.key, r.value])).toEqual([
      ['v/c1/a', null],
      ['v/c1/b', null],
    ]);
    expect(readTally(state.local, 'c1')).toEqual({ up: 1, down: 0 });
    expect(state.get('c/c1')).toBeDefined();
    const second = dropComment(state, 'c1', 2);
    expect(second).toEqual({
      records: [expect.objectContaining({ key: 'v/c1/c' }), expect.objectContaining({ key: 'c/c1' })],
      done: true,
    });
    expect(readTally(state.local, 'c1')).toBeUndefined();
    expect(() => applyVote(state, vote('d', 1))).toThrow(/never saw created/);
    // Replayed into a cold store, the tombstones leave only the other comment.
    const cold = partition();
    replay(cold, [...log, ...first.records, ...second.records]);
    expect([...cold.state.keys('c/')]).toEqual(['c/c2']);
    expect([...cold.state.keys('v/')]).toEqual([]);
    expect(readTally(cold.state.local, 'c1')).toBeUndefined();
  });

  it('deletes a comment with its time index entry', () => {
    const { state } = partition();
    recordCreated(state, 'c1', 't1', T0);
    expect(state.get(timeIndexKey(T0, 'c1'))).toBeDefined();
    expect(recordDeleted(state, 'c1').map((r) => r.key)).toEqual(['c/c1', timeIndexKey(T0, 'c1')]);
    expect([...state.keys('')]).toEqual([]);
  });
});
