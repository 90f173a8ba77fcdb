import type { CommentEvent } from './comment-events';
import { checkCommentEvent } from './decode-record';
import { HEADERS, SCHEMA_IDS } from './headers';
import { TOPICS } from './topics';

/** A record ready for any Kafka producer: `producer.send({ topic, messages: [record] })`. */
export interface CommentRecord {
  topic: typeof TOPICS.comments;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

type Fill<E> = E extends unknown
  ? Omit<E, 'eventId' | 'acceptedAt'> & Partial<Pick<CommentEvent, 'eventId' | 'acceptedAt'>>
  : never;
export type CommentEventInput = Fill<CommentEvent>;

/**
 * The typed producer helper of the published contract: fills `eventId` and `acceptedAt` when
 * missing, validates, and returns the record with key = threadId and the contract's headers.
 * Throws a TypeError naming the field when the event breaks the contract.
 */
export function commentRecord(input: CommentEventInput, now: Date = new Date()): CommentRecord {
  const event = {
    ...input,
    // The Web Crypto global (Node 19+, browsers): this lib is bundled for browsers too.
    eventId: input.eventId ?? globalThis.crypto.randomUUID(),
    acceptedAt: input.acceptedAt ?? now.toISOString(),
  };
  const checked = checkCommentEvent(event);
  if (!checked.ok) throw new TypeError(`comment event breaks the contract: ${checked.message}`);
  return {
    topic: TOPICS.comments,
    key: checked.value.threadId,
    value: Buffer.from(JSON.stringify(checked.value)),
    headers: {
      [HEADERS.schemaId]: SCHEMA_IDS.commentsV1,
      [HEADERS.eventId]: checked.value.eventId,
      [HEADERS.acceptedAt]: String(Date.parse(checked.value.acceptedAt)),
    },
  };
}
