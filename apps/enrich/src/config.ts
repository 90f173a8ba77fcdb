import {
  consumerGroupConfig,
  FieldError,
  int,
  kafkaConfig,
  opsConfig,
  processConfig,
  stateConfig,
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

export const enrichConfig = {
  ...kafkaConfig,
  ...consumerGroupConfig,
  ...processConfig,
  ...stateConfig,
  ...opsConfig(9102),
  ENRICH_GROUP_ID: str('Consumer group of the enrich stage on the comments topic.', 'threadcast-enrich'),
  ENRICH_BURST_MAX_AUTHORS: int(
    'Authors whose recent comment times a pod remembers for the burst spam signal (memory bound).',
    50_000,
    { min: 1 },
  ),
  ENRICH_SPAM_THRESHOLD: fraction(
    'Spam score from which a new or edited comment is held for moderators (it stays held).',
    0.7,
  ),
} as const;
