import { HEADERS, SCHEMA_IDS, TOPICS, ThreadInfo, UserProfile, validate } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { PutThreadRequest, PutUserRequest } from './request-schemas';

/** A compacted-table write: the record (key = id) and the stored value, which is the answer. */
export interface TableWrite<V> {
  records: OutRecord[];
  answer: V;
}

export function userWrite(
  id: string,
  req: PutUserRequest,
  acceptedAt: Date,
  trace: Record<string, string>,
): TableWrite<UserProfile> {
  const user: UserProfile =
    req.avatarUrl === undefined ? { id, name: req.name } : { id, name: req.name, avatarUrl: req.avatarUrl };
  return tableWrite(TOPICS.users, SCHEMA_IDS.usersV1, checked(UserProfile, user), acceptedAt, trace);
}

export function threadWrite(
  id: string,
  req: PutThreadRequest,
  acceptedAt: Date,
  trace: Record<string, string>,
): TableWrite<ThreadInfo> {
  const thread: ThreadInfo = {
    id,
    forumId: req.forumId,
    ...(req.title === undefined ? {} : { title: req.title }),
    moderation: req.moderation ?? 'open',
    closed: req.closed ?? false,
  };
  return tableWrite(TOPICS.threads, SCHEMA_IDS.threadsV1, checked(ThreadInfo, thread), acceptedAt, trace);
}

function tableWrite<V extends { id: string }>(
  topic: string,
  schemaId: string,
  value: V,
  acceptedAt: Date,
  trace: Record<string, string>,
): TableWrite<V> {
  return {
    records: [
      {
        topic,
        key: value.id,
        value: JSON.stringify(value),
        headers: {
          [HEADERS.schemaId]: schemaId,
          [HEADERS.acceptedAt]: String(acceptedAt.getTime()),
          ...trace,
        },
      },
    ],
    answer: value,
  };
}

/** The request was checked field by field already; this guards the contract against drift. */
function checked<V>(schema: typeof UserProfile | typeof ThreadInfo, value: V): V {
  const result = validate(schema, value);
  if (!result.ok) throw new TypeError(`record breaks the contract: ${result.message}`);
  return value;
}
