import { ROOT_CONTEXT } from '@opentelemetry/api';
import { TOPICS } from '@threadcast/contracts';
import { deliveryMeta, deliveryRecord } from './delivery-record';

const deleted = {
  type: 'comment.deleted' as const,
  eventId: 'e1',
  id: 'c1',
  threadId: 't1',
  deletedAt: '2026-11-27T10:00:00.000Z',
};

describe('deliveryRecord', () => {
  it('is the client frame without cursor, keyed by the thread id, with routing headers', () => {
    const r = deliveryRecord({ channel: 'thread:t1', event: deleted }, { acceptedAtMs: '1700' });
    expect(r.topic).toBe(TOPICS.deliveries);
    expect(r.key).toBe('t1');
    expect(r.value).toBe(
      '{"op":"event","channel":"thread:t1","event":{"type":"comment.deleted","eventId":"e1","id":"c1","threadId":"t1","deletedAt":"2026-11-27T10:00:00.000Z"}}',
    );
    expect(r.headers).toEqual({
      'tc-schema': 'deliveries.v1',
      'tc-channel': 'thread:t1',
      'tc-event-id': 'e1',
      'tc-accepted-at': '1700',
    });
    expect(r.traceContext).toBeUndefined();
  });

  it('belongs to the trace context it was given (a coalesced score update sent later)', () => {
    const r = deliveryRecord(
      { channel: 'thread:t1', event: deleted },
      { acceptedAtMs: '1', traceContext: ROOT_CONTEXT },
    );
    expect(r.traceContext).toBe(ROOT_CONTEXT);
    expect(r.headers?.traceparent).toBeUndefined();
  });

  it('keys other channels by their whole name', () => {
    expect(deliveryRecord({ channel: 'user:bob', event: deleted }, { acceptedAtMs: '1' }).key).toBe(
      'user:bob',
    );
    expect(deliveryRecord({ channel: 'mod:f1', event: deleted }, { acceptedAtMs: '1' }).key).toBe('mod:f1');
  });
});

describe('deliveryMeta', () => {
  it('carries the accept time over from the input headers, not the trace context (libs/kafka owns it)', () => {
    expect(
      deliveryMeta(
        { 'tc-accepted-at': '1700', traceparent: 'tp', tracestate: 'ts', other: 'x' },
        '2026-11-27T10:00:00.000Z',
      ),
    ).toEqual({ acceptedAtMs: '1700' });
  });

  it('falls back to the event accept time when the header is missing', () => {
    expect(deliveryMeta({}, '2026-11-27T10:00:00.000Z')).toEqual({
      acceptedAtMs: String(Date.parse('2026-11-27T10:00:00.000Z')),
    });
  });
});
