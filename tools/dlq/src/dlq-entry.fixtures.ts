import { HEADERS, TOPICS } from '@threadcast/contracts';
import { deadLetter, type InRecord } from '@threadcast/kafka';
import { toDlqEntry, type DlqEntry } from './dlq-entry';

/**
 * A DLQ entry as a stage writes it (libs/kafka's deadLetter), at DLQ `offset`. For the specs only.
 */
export function dlqEntry(
  offset: number,
  opts: { code?: string; stage?: string; key?: string; topic?: string; at?: number; value?: string } = {},
): DlqEntry {
  const source: InRecord = {
    topic: opts.topic ?? TOPICS.comments,
    partition: 3,
    offset: String(100 + offset),
    key: Buffer.from(opts.key ?? 't-1'),
    value: Buffer.from(opts.value ?? `{"type":"comment.created","n":${offset}}`),
    headers: { [HEADERS.eventId]: `e-${offset}`, traceparent: '00-abc-def-01' },
    timestamp: '0',
  };
  const out = deadLetter(
    source,
    opts.stage ?? 'enrich',
    { code: opts.code ?? 'thread_closed', message: `reason ${offset}` },
    TOPICS.dlq,
    opts.at ?? Date.parse('2030-01-01T00:00:00Z') + offset * 1000,
  );
  return toDlqEntry({
    topic: TOPICS.dlq,
    partition: 0,
    offset: String(offset),
    key: out.key as Buffer,
    value: source.value,
    headers: out.headers!,
    timestamp: String(opts.at ?? 0),
  });
}
