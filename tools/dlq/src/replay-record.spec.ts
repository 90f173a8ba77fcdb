import { DLQ_HEADERS, HEADERS, TOPICS } from '@threadcast/contracts';
import { toDlqEntry } from './dlq-entry';
import { replayRecord } from './replay-record';
import { dlqEntry } from './dlq-entry.fixtures';

describe('DLQ entries and their replay', () => {
  it('reads stage, code, reason and the source position from the headers', () => {
    const e = dlqEntry(5);
    expect(e).toMatchObject({
      id: '5',
      stage: 'enrich',
      code: 'thread_closed',
      reason: 'reason 5',
      source: { topic: TOPICS.comments, partition: 3, offset: '105' },
      key: 't-1',
      eventId: 'e-5',
      at: '2030-01-01T00:00:05.000Z',
    });
  });

  it('shows a record without DLQ headers as unknown rather than failing', () => {
    const e = toDlqEntry({
      topic: TOPICS.dlq,
      partition: 2,
      offset: '9',
      key: null,
      value: null,
      headers: {},
      timestamp: String(Date.parse('2030-01-01T00:00:00Z')),
    });
    expect(e).toMatchObject({ id: '2:9', stage: '?', code: '?', source: undefined, key: '', valueBytes: 0 });
    expect(e.at).toBe('2030-01-01T00:00:00.000Z');
    expect(() => replayRecord(e)).toThrow(/names no source topic/);
  });

  it('re-drives the original key, value and headers to the source topic, marked as a replay', () => {
    const e = dlqEntry(5);
    const r = replayRecord(e);
    expect(r.topic).toBe(TOPICS.comments);
    expect(r.key.toString()).toBe('t-1');
    expect(r.value).toEqual(e.record.value);
    expect(r.headers).toEqual({
      [HEADERS.eventId]: 'e-5',
      traceparent: '00-abc-def-01',
      [DLQ_HEADERS.replayedFrom]: 'comments.dlq/0/5',
    });
  });

  it('refuses to re-drive to a topic no stage consumes', () => {
    expect(() => replayRecord(dlqEntry(5, { topic: TOPICS.deliveries }))).toThrow(/no stage consumes/);
  });

  it('refuses to re-drive a copy whose value a stage cut to fit, naming where the original is', () => {
    const e = dlqEntry(5);
    e.record.headers[DLQ_HEADERS.valueTruncated] = '2000000';
    expect(() => replayRecord(e)).toThrow(/cut value .* of 2000000 bytes.*comments\/3@105/);
  });
});
