import {
  decodeJson,
  EnrichedCreated,
  EnrichedDeleted,
  EnrichedEdited,
  EnrichedVoted,
  validate,
  type EnrichedEvent,
  type Validation,
} from '@threadcast/contracts';

const BY_TYPE: Record<string, Parameters<typeof validate>[0]> = {
  'comment.created': EnrichedCreated,
  'comment.edited': EnrichedEdited,
  'comment.deleted': EnrichedDeleted,
  'comment.voted': EnrichedVoted,
};

/**
 * A `comments.enriched` value -> an EnrichedEvent, or why not. Same outcome as
 * `decodeWith(EnrichedEvent, value)`, but checked against the variant its `type` names: a union
 * only reports "(value)" as failing, and the DLQ reason should name the real field.
 */
export function decodeEnriched(value: Buffer | null): Validation<EnrichedEvent> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  const type = (json.value as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' ? BY_TYPE[type] : undefined;
  if (schema === undefined) {
    return {
      ok: false,
      code: 'unknown_type',
      field: 'type',
      message: 'type: not an enriched comment event type',
    };
  }
  return validate(schema, json.value) as Validation<EnrichedEvent>;
}
