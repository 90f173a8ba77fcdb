import {
  consumerGroupConfig,
  FieldError,
  int,
  kafkaConfig,
  opsConfig,
  processConfig,
  str,
  type Field,
} from '@threadcast/config';

/** A number from 0 to 1 (spam scores are probabilities); libs/config has integers only. */
function fraction(doc: string, def: number): Field<number> {
  return {
    doc,
    default: def,
    parse(raw) {
      const v = raw.trim();
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        throw new FieldError(`expected a number from 0 to 1, got ${JSON.stringify(raw)}`);
      }
      return n;
    },
  };
}

export const routeConfig = {
  ...kafkaConfig,
  ...consumerGroupConfig,
  ...processConfig,
  ...opsConfig(9103),
  ROUTE_GROUP_ID: str('Consumer group of the route stage on comments.enriched.', 'threadcast-route'),
  ROUTE_SPAM_THRESHOLD: fraction('Spam score from which a new comment is held for moderators.', 0.7),
  ROUTE_VOTE_WINDOW_MS: int('Votes are coalesced into one comment.score per comment per window.', 250, {
    min: 1,
    max: 60_000,
  }),
  ROUTE_MAX_DIRTY_COMMENTS: int(
    'Comments with unsent scores that trigger an early flush; bounds the coalescer memory.',
    10_000,
    { min: 1 },
  ),
  ROUTE_MAX_MENTIONS: int('Most users one comment notifies by mention (beyond the reply).', 20, { min: 0 }),
} as const;
