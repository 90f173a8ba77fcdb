import { DLQ_HEADERS } from '@threadcast/contracts';
import { deadLetter, fitDeadLetter } from './dead-letter';
import type { InRecord } from './records';
import { REQUEST_OVERHEAD_BYTES, recordBytes, topicBytes } from './request-bytes';

const input = (value: string): InRecord => ({
  topic: 'comments',
  partition: 3,
  offset: '42',
  key: Buffer.from('t-1'),
  value: Buffer.from(value),
  headers: { 'event-id': 'e-1' },
  timestamp: '0',
});
const copy = (value: string) =>
  deadLetter(input(value), 'enrich', { code: 'output_refused', message: 'too large' }, 'comments.dlq', 0);

describe('fitDeadLetter', () => {
  it('leaves a copy that fits as it is', () => {
    const r = copy('{"small":true}');
    expect(fitDeadLetter(r, 100_000)).toBe(r);
  });

  it('cuts the value of a copy that does not fit, keeping key, headers, position and reason', () => {
    const value = 'x'.repeat(200_000);
    const fitted = fitDeadLetter(copy(value), 50_000);
    expect(fitted.key.toString()).toBe('t-1');
    expect(fitted.headers).toMatchObject({
      'event-id': 'e-1',
      [DLQ_HEADERS.sourceTopic]: 'comments',
      [DLQ_HEADERS.sourcePartition]: '3',
      [DLQ_HEADERS.sourceOffset]: '42',
      [DLQ_HEADERS.code]: 'output_refused',
      [DLQ_HEADERS.reason]: 'too large',
      [DLQ_HEADERS.valueTruncated]: '200000',
    });
    const bytes =
      REQUEST_OVERHEAD_BYTES +
      topicBytes(fitted.topic) +
      recordBytes(fitted.key, fitted.value, fitted.headers);
    // Room is left for the trace context the producer adds.
    expect(bytes).toBeLessThanOrEqual(50_000 - 512);
    expect((fitted.value as Buffer).length).toBeGreaterThan(45_000);
    expect(value.startsWith((fitted.value as Buffer).toString())).toBe(true);
  });
});
