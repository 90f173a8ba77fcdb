import type { TSchema, Static } from '@sinclair/typebox';
import {
  CommentApproved,
  CommentCreated,
  CommentDeleted,
  CommentEdited,
  CommentRejected,
  CommentVoted,
  type CommentEvent,
} from './comment-events';
import {
  EnrichedApproved,
  EnrichedCreated,
  EnrichedDeleted,
  EnrichedEdited,
  EnrichedRejected,
  EnrichedVoted,
  type EnrichedEvent,
} from './enriched-events';
import { validate, type Validation } from './validate';

/** Largest comment event value the pipeline processes; larger ones are dead-lettered. */
export const MAX_EVENT_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes -> JSON, refusing what a Kafka record can carry but the contract forbids:
 * no value, oversize, invalid UTF-8, invalid JSON. Each failure has a stable `code`.
 */
export function decodeJson(
  value: Buffer | null | undefined,
  maxBytes = MAX_EVENT_BYTES,
): Validation<unknown> {
  if (value === null || value === undefined || value.length === 0) {
    return { ok: false, code: 'missing_value', message: 'record has no value' };
  }
  if (value.length > maxBytes) {
    return {
      ok: false,
      code: 'oversize',
      message: `value is ${value.length} bytes; the limit is ${maxBytes}`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, code: 'invalid_utf8', message: 'value is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, code: 'invalid_json', message: `value is not JSON: ${(e as Error).message}` };
  }
}

/**
 * A checker for a union discriminated by `type`: validates against the variant the value names,
 * so errors name the real field (a plain union only reports that no variant matched).
 */
function checkByType<T>(byType: Record<string, TSchema>): (value: unknown) => Validation<T> {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        ok: false,
        code: 'schema_violation',
        field: '(value)',
        message: '(value): expected a JSON object',
      };
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') {
      return { ok: false, code: 'schema_violation', field: 'type', message: 'type: required string' };
    }
    const schema = byType[type];
    if (!schema) {
      return {
        ok: false,
        code: 'unknown_type',
        field: 'type',
        message: `type: unknown event type ${JSON.stringify(type.slice(0, 64))}`,
      };
    }
    return validate(schema, value) as Validation<T>;
  };
}

/** Validates a parsed value as a comment event v1. */
export const checkCommentEvent = checkByType<CommentEvent>({
  'comment.created': CommentCreated,
  'comment.edited': CommentEdited,
  'comment.deleted': CommentDeleted,
  'comment.voted': CommentVoted,
  'comment.approved': CommentApproved,
  'comment.rejected': CommentRejected,
});

const checkEnrichedEvent = checkByType<EnrichedEvent>({
  'comment.created': EnrichedCreated,
  'comment.edited': EnrichedEdited,
  'comment.deleted': EnrichedDeleted,
  'comment.voted': EnrichedVoted,
  'comment.approved': EnrichedApproved,
  'comment.rejected': EnrichedRejected,
});

/** A `comments.enriched` record's value -> an enriched event, or why not. */
export function decodeEnrichedEvent(value: Buffer | null | undefined): Validation<EnrichedEvent> {
  const json = decodeJson(value);
  return json.ok ? checkEnrichedEvent(json.value) : json;
}

/** A `comments` record's value -> a valid comment event, or why not. */
export function decodeCommentEvent(
  value: Buffer | null | undefined,
  key?: Buffer | null,
): Validation<CommentEvent> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  const checked = checkCommentEvent(json.value);
  if (!checked.ok) return checked;
  if (key !== undefined) {
    if (key === null || key.length === 0) {
      return { ok: false, code: 'missing_key', message: 'record has no key; the key must be the threadId' };
    }
    if (key.toString('utf8') !== checked.value.threadId) {
      return {
        ok: false,
        code: 'key_mismatch',
        field: 'threadId',
        message: 'record key must equal threadId, or the thread loses its order',
      };
    }
  }
  return checked;
}

/** Decodes and validates any table record (users, threads, ...) against its schema. */
export function decodeWith<S extends TSchema>(
  schema: S,
  value: Buffer | null | undefined,
): Validation<Static<S>> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  return validate(schema, json.value);
}
