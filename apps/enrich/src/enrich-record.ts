import { trace } from '@opentelemetry/api';
import {
  decodeCommentEvent,
  HEADERS,
  SCHEMA_IDS,
  TOPICS,
  type CommentCreated,
  type CommentEvent,
  type CommentIndexEntry,
  type EnrichedAuthor,
  type EnrichedCreated,
  type EnrichedEvent,
  type ThreadInfo,
} from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import type { BurstTracker } from './burst-tracker';
import { extractMentions } from './extract-mentions';
import { parseMarkdown, renderMarkdown } from './render-markdown';
import { spamScore } from './spam-score';
import type { EnrichTables } from './tables';

/** On comments.index records: which enrich process wrote it (enrich's own header). */
export const INDEX_WRITER_HEADER = 'tc-index-writer';

/** Forum of threads the threads table does not know (yet). */
export const DEFAULT_FORUM_ID = 'default';

export interface EnrichDeps {
  burst: BurstTracker;
  /** Tags this process' comments.index writes, so its changelog catch-up skips them. */
  writerId: string;
  /** Sees each new comment's spam score (the metrics histogram). */
  observeSpam?: (score: number) => void;
}

type Base = Pick<EnrichedEvent, 'eventId' | 'threadId' | 'forumId' | 'commentId' | 'acceptedAt'>;

/**
 * One `comments` record -> its `comments.enriched` record (key = threadId), plus, for a new
 * comment, its `comments.index` entry. Throws PoisonRecordError for what must be dead-lettered.
 */
export function enrichRecord(record: InRecord, tables: EnrichTables, deps: EnrichDeps): OutRecord[] {
  const decoded = decodeCommentEvent(record.value, record.key);
  if (!decoded.ok) throw new PoisonRecordError(decoded.code, decoded.message, { field: decoded.field });
  const event = decoded.value;
  const thread = tables.threads.get(event.threadId);
  const base: Base = {
    eventId: event.eventId,
    threadId: event.threadId,
    forumId: thread?.forumId ?? DEFAULT_FORUM_ID,
    commentId: event.commentId,
    acceptedAt: event.acceptedAt,
  };
  // On the record's processing span (libs/kafka runs each record in its own).
  trace.getActiveSpan()?.setAttributes({
    'comment.id': base.commentId,
    'thread.id': base.threadId,
    'forum.id': base.forumId,
    'event.type': event.type,
  });
  const out: OutRecord[] = [
    {
      topic: TOPICS.commentsEnriched,
      key: event.threadId,
      value: JSON.stringify(enrich(event, base, thread, tables, deps)),
      headers: enrichedHeaders(record.headers, event),
    },
  ];
  if (event.type === 'comment.created') {
    const entry: CommentIndexEntry = {
      commentId: event.commentId,
      threadId: event.threadId,
      authorId: event.author.id,
    };
    // Now, not when the changelog comes back: a reply may follow in the same batch.
    tables.comments.set(entry.commentId, entry);
    out.push({
      topic: TOPICS.commentIndex,
      key: entry.commentId,
      value: JSON.stringify(entry),
      headers: { [INDEX_WRITER_HEADER]: deps.writerId },
    });
  }
  return out;
}

function enrich(
  event: CommentEvent,
  base: Base,
  thread: ThreadInfo | undefined,
  tables: EnrichTables,
  deps: EnrichDeps,
): EnrichedEvent {
  switch (event.type) {
    case 'comment.created':
      return enrichCreated(event, base, thread, tables, deps);
    case 'comment.edited': {
      const tokens = parseMarkdown(event.body);
      return {
        type: event.type,
        ...base,
        html: renderMarkdown(event.body, tokens),
        mentions: extractMentions(event.body, tokens),
        ...(event.editorId !== undefined && { editorId: event.editorId }),
      };
    }
    case 'comment.deleted':
      return { type: event.type, ...base };
    case 'comment.voted':
      return { type: event.type, ...base, userId: event.userId, value: event.value };
  }
}

function enrichCreated(
  event: CommentCreated,
  base: Base,
  thread: ThreadInfo | undefined,
  tables: EnrichTables,
  deps: EnrichDeps,
): EnrichedCreated {
  // A new comment on a closed thread is dead-lettered rather than dropped or published:
  // ingest refuses it up front when it knows, so one arriving here was produced directly or
  // raced the close. The DLQ keeps it visible, with its reason, and replayable if reopened.
  // Edits, deletes and votes still pass: closing a thread stops new comments, not moderation.
  if (thread?.closed) {
    throw new PoisonRecordError('thread_closed', `thread ${event.threadId} is closed to new comments`, {
      field: 'threadId',
    });
  }
  const profile = tables.users.get(event.author.id);
  const author: EnrichedAuthor = profile
    ? {
        id: event.author.id,
        name: profile.name,
        ...(profile.avatarUrl !== undefined && { avatarUrl: profile.avatarUrl }),
      }
    : { id: event.author.id, name: event.author.name ?? event.author.id };
  // Only a parent in the same thread names its author: a reply cannot be aimed at anyone's inbox.
  const parent = event.parentId === undefined ? undefined : tables.comments.get(event.parentId);
  const parentAuthorId = parent?.threadId === event.threadId ? parent.authorId : undefined;
  const tokens = parseMarkdown(event.body);
  const spam = spamScore(event.body, deps.burst.record(event.author.id, Date.parse(event.acceptedAt)));
  deps.observeSpam?.(spam.score);
  return {
    type: event.type,
    ...base,
    author,
    html: renderMarkdown(event.body, tokens),
    mentions: extractMentions(event.body, tokens),
    ...(event.parentId !== undefined && { parentId: event.parentId }),
    ...(parentAuthorId !== undefined && { parentAuthorId }),
    moderation: thread?.moderation ?? 'open',
    spam,
  };
}

/**
 * The input's accept time (the event's own when a producer left it out or garbled it). The event
 * id header is always the value's, so header and payload cannot disagree. Trace context is not
 * copied: libs/kafka writes the publish span's own into every record it sends.
 */
function enrichedHeaders(input: Record<string, string>, event: CommentEvent): Record<string, string> {
  const acceptedAt = input[HEADERS.acceptedAt];
  return {
    [HEADERS.schemaId]: SCHEMA_IDS.enrichedV1,
    [HEADERS.eventId]: event.eventId,
    [HEADERS.acceptedAt]:
      acceptedAt && /^\d{1,16}$/.test(acceptedAt) ? acceptedAt : String(Date.parse(event.acceptedAt)),
  };
}
