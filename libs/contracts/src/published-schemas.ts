import { CommentEvent } from './comment-events';
import { ThreadInfo, UserProfile } from './tables';

/** The JSON Schema files published in libs/contracts/schemas/, generated from the definitions. */
export function publishedSchemas(): Record<string, unknown> {
  return {
    'comments.v1.json': { $schema: 'http://json-schema.org/draft-07/schema#', ...CommentEvent },
    'users.v1.json': { $schema: 'http://json-schema.org/draft-07/schema#', ...UserProfile },
    'threads.v1.json': { $schema: 'http://json-schema.org/draft-07/schema#', ...ThreadInfo },
  };
}
