import { TOPICS, type CommentScoreState } from '@threadcast/contracts';
import type { InRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import {
  loadScoreRecord,
  MAX_SCORE_STATE_BYTES,
  SCORE_HEADERS,
  scoreChangelogRecord,
} from './score-changelog';

const state: CommentScoreState = { commentId: 'c1', threadId: 't1', votes: { u1: 1, u2: -1 } };
const source = { partition: 3, offset: '42' };

const inRecord = (key: string | null, value: Buffer | null): InRecord => ({
  topic: TOPICS.commentScores,
  partition: 0,
  offset: '0',
  key: key === null ? null : Buffer.from(key),
  value,
  headers: {},
  timestamp: '0',
});

describe('scoreChangelogRecord', () => {
  it('keys the state by comment id and says who wrote it from what', () => {
    const r = scoreChangelogRecord(state, { writerId: 'w1', source });
    expect(r.topic).toBe(TOPICS.commentScores);
    expect(r.key).toBe('c1');
    expect(JSON.parse(String(r.value))).toEqual(state);
    expect(r.headers).toEqual({
      [SCORE_HEADERS.writer]: 'w1',
      [SCORE_HEADERS.source]: 'comments.enriched/3/42',
    });
  });

  it('refuses a state the compacted topic could not take, as poison', () => {
    const votes: Record<string, 1 | -1> = {};
    for (let i = 0; i * 20 < MAX_SCORE_STATE_BYTES; i++) votes[`user-${i}-padding`] = 1;
    expect(() => scoreChangelogRecord({ ...state, votes }, { writerId: 'w1', source })).toThrow(
      PoisonRecordError,
    );
  });
});

describe('loadScoreRecord', () => {
  it('loads a state, replaces it, and deletes it on a tombstone', () => {
    const table = new Map<string, CommentScoreState>();
    loadScoreRecord(table, inRecord('c1', Buffer.from(JSON.stringify(state))));
    expect(table.get('c1')).toEqual(state);
    const newer = { ...state, votes: { u1: -1 as const } };
    loadScoreRecord(table, inRecord('c1', Buffer.from(JSON.stringify(newer))));
    expect(table.get('c1')).toEqual(newer);
    loadScoreRecord(table, inRecord('c1', null));
    expect(table.has('c1')).toBe(false);
  });

  it('throws on a record that is not a score state, leaving the table alone', () => {
    const table = new Map<string, CommentScoreState>([['c1', state]]);
    expect(() => loadScoreRecord(table, inRecord('c1', Buffer.from('{"votes":3}')))).toThrow(/c1/);
    expect(() => loadScoreRecord(table, inRecord(null, Buffer.from('{}')))).toThrow();
    expect(table.get('c1')).toBe(state);
  });

  it('reads states larger than a comment event may be', () => {
    const votes: Record<string, 1 | -1> = {};
    for (let i = 0; i < 5000; i++) votes[`user-${i}`] = 1;
    const table = new Map<string, CommentScoreState>();
    loadScoreRecord(table, inRecord('c1', Buffer.from(JSON.stringify({ ...state, votes }))));
    expect(Object.keys(table.get('c1')!.votes)).toHaveLength(5000);
  });
});
