import { trace } from '@opentelemetry/api';
import {
  decodeCommentEvent,
  HEADERS,
  SCHEMA_IDS,
  TOPICS,
  type CommentCreated,
  type CommentDeleted,
  type CommentEdited,
  type CommentEvent,
  type CommentIndexEntry,
  type EnrichedAuthor,
  type EnrichedCreated,
  type EnrichedDeleted,
  type EnrichedEdited,
  type EnrichedEvent,
  type HeldReason,
  type Spam,
  type ThreadInfo,
} from '@threadcast/contracts';
import type { InRecord, OutRecord } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import type { BurstTracker } from './burst-tracker';
import { enrichDecision } from './enrich-decision';
import { extractMentions } from './extract-mentions';
import { parseMarkdown, renderMarkdown } from './render-markdown';
import { spamScore } from './spam-score';
import { liveEntry, type EnrichTables } from './tables';

/** Forum of threads the threads table does not know (yet). */
export const DEFAULT_FORUM_ID = 'default';

export interface EnrichDeps {
  burst: BurstTracker;
  /** Spam score from which a new or edited comment is held for moderators (ENRICH_SPAM_THRESHOLD). */
  spamThreshold: number;
  /** Sees each new or edited comment's spam score (the metrics histogram). */
  observeSpam?: (score: number) => void;
  /**
   * STATE_RETENTION_DAYS as ms (0 or absent: forever): events for a comment created more than
   * this before them are refused as for an unknown comment (`liveEntry`).
   */
  retentionWindowMs?: number;
}

type Base = Pick<EnrichedEvent, 'eventId' | 'threadId' | 'forumId' | 'commentId' | 'acceptedAt'>;

/**
 * One `comments` record -> its `comments.enriched` record (key = threadId), plus, for a new
 * comment or an edit that holds one, its comment index entry (written to the partition's store; its
 * changelog record is returned with the enriched one). Throws PoisonRecordError for
 * what must be dead-lettered: among others an edit or delete by someone other than the author
 * (`not_author`) or of a comment this thread never had (`unknown_comment`).
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
  const enriched = enrich(event, base, thread, tables, deps);
  const out: OutRecord[] = [
    {
      topic: TOPICS.commentsEnriched,
      key: event.threadId,
      value: JSON.stringify(enriched.event),
      headers: enrichedHeaders(record.headers, event),
    },
  ];
  // Written now, not when the changelog comes back: a reply or an edit may follow in the same batch.
  if (enriched.index !== undefined) out.push(tables.comments.put(enriched.index));
  if (enriched.createdAtMs !== undefined) {
    out.push(tables.comments.indexCreated(event.commentId, enriched.createdAtMs));
  }
  return out;
}

interface Enriched {
  event: EnrichedEvent;
  /** A new or changed comment index entry, to write to the store (and its changelog). */
  index?: CommentIndexEntry;
  /** A new comment: its creation time, for the store's time index (retention). */
  createdAtMs?: number;
}

function enrich(
  event: CommentEvent,
  base: Base,
  thread: ThreadInfo | undefined,
  tables: EnrichTables,
  deps: EnrichDeps,
): Enriched {
  switch (event.type) {
    case 'comment.created':
      return enrichCreated(event, base, thread, tables, deps);
    case 'comment.edited':
      return enrichEdited(event, base, thread, tables, deps);
    case 'comment.deleted':
      return { event: enrichDeleted(event, base, tables, deps) };
    case 'comment.voted':
      return { event: { type: event.type, ...base, userId: event.userId, value: event.value } };
    case 'comment.approved':
    case 'comment.rejected':
      return enrichDecision(event, base, tables, deps.retentionWindowMs ?? 0);
  }
}

/**
 * Why a new or edited comment is held, or undefined when it goes to its thread: a premoderated
 * thread holds everything written on it, and a spam score at the threshold holds it anywhere.
 * Spam wins as the reason: it is what a moderator needs to know first.
 */
function holdFor(thread: ThreadInfo | undefined, spam: Spam, deps: EnrichDeps): HeldReason | undefined {
  if (spam.score >= deps.spamThreshold) return 'spam';
  if (thread?.moderation === 'premoderated') return 'premoderated';
  return undefined;
}

/**
 * The index entry of the comment an edit or delete is about, once the actor may act on it: its
 * author, or a moderator (`asModerator`, which only moderators' producers may set). Events for a
 * comment enrich never indexed in this thread are refused: a thread's events share a partition,
 * so its creation was handled (and indexed) before any edit or delete of it could arrive. So are
 * those of a comment created more than the retention window before the event.
 */
function actedOn(
  event: CommentEdited | CommentDeleted,
  actorId: string,
  tables: EnrichTables,
  deps: EnrichDeps,
): CommentIndexEntry {
  const entry = liveEntry(
    tables.comments,
    event.commentId,
    Date.parse(event.acceptedAt),
    deps.retentionWindowMs ?? 0,
  );
  if (entry === undefined || entry.threadId !== event.threadId) {
    throw new PoisonRecordError(
      'unknown_comment',
      `comment ${event.commentId} is not known in thread ${event.threadId}`,
      { field: 'commentId' },
    );
  }
  if (actorId !== entry.authorId && event.asModerator !== true) {
    const field = event.type === 'comment.edited' ? 'editorId' : 'deletedBy';
    throw new PoisonRecordError(
      'not_author',
      `${field} ${actorId} is not the author of comment ${event.commentId} and does not act as a moderator`,
      { field },
    );
  }
  return entry;
}

function enrichEdited(
  event: CommentEdited,
  base: Base,
  thread: ThreadInfo | undefined,
  tables: EnrichTables,
  deps: EnrichDeps,
): Enriched {
  const entry = actedOn(event, event.editorId, tables, deps);
  const tokens = parseMarkdown(event.body);
  // Scored like a new comment, so spam cannot be edited into an approved one.
  const spam = spamScore(event.body, deps.burst.record(event.editorId, Date.parse(event.acceptedAt)));
  deps.observeSpam?.(spam.score);
  // Held stays held: only a moderator's approval (comment.approved) lets it go.
  const held = entry.held ?? holdFor(thread, spam, deps);
  const html = renderMarkdown(event.body, tokens);
  const mentions = extractMentions(event.body, tokens);
  const enriched: EnrichedEdited = {
    type: event.type,
    ...base,
    html,
    mentions,
    editorId: event.editorId,
    spam,
    ...(held !== undefined && { held }),
  };
  // Approved and not held again, or rejected for good: the entry does not change.
  if (held === undefined || entry.decided?.verdict === 'rejected') return { event: enriched };
  return { event: enriched, index: heldAfterEdit(entry, held, html, mentions) };
}

/**
 * A held comment's entry after an edit: what an approval would deliver now has the edit's text.
 * Held since it was posted, the comment keeps its creation's details; held by this edit (the
 * thread has the comment), the approval will deliver the edit. Entries held before enrich kept
 * what an approval delivers stay without it.
 */
function heldAfterEdit(
  entry: CommentIndexEntry,
  held: HeldReason,
  html: string,
  mentions: string[],
): CommentIndexEntry {
  const { commentId, threadId, authorId, createdAt } = entry;
  const pending =
    entry.held === undefined
      ? ({ kind: 'edited', html, mentions } as const)
      : entry.pending && { ...entry.pending, html, mentions };
  return {
    commentId,
    threadId,
    authorId,
    held,
    ...(pending !== undefined && { pending }),
    ...(createdAt !== undefined && { createdAt }),
  };
}

function enrichDeleted(
  event: CommentDeleted,
  base: Base,
  tables: EnrichTables,
  deps: EnrichDeps,
): EnrichedDeleted {
  const { held } = actedOn(event, event.deletedBy, tables, deps);
  return { type: event.type, ...base, ...(held !== undefined && { held }) };
}

function enrichCreated(
  event: CommentCreated,
  base: Base,
  thread: ThreadInfo | undefined,
  tables: EnrichTables,
  deps: EnrichDeps,
): Enriched {
  // A new comment on a closed thread is dead-lettered rather than dropped or published:
  // ingest refuses it up front when it knows, so one arriving here was produced directly or
  // raced the close. The DLQ keeps it visible, with its reason, and replayable if reopened.
  // Edits, deletes and votes still pass: closing a thread stops new comments, not moderation.
  if (thread?.closed) {
    throw new PoisonRecordError('thread_closed', `thread ${event.threadId} is closed to new comments`, {
      field: 'threadId',
    });
  }
  // A comment id is its author's for good: a creation reusing it under another author or thread
  // (a colliding Idempotency-Key, a direct producer) would take over the comment's edits.
  const known = tables.comments.get(event.commentId);
  if (known !== undefined && (known.authorId !== event.author.id || known.threadId !== event.threadId)) {
    throw new PoisonRecordError(
      'comment_exists',
      `comment ${event.commentId} already exists with another author or thread`,
      { field: 'commentId' },
    );
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
  const acceptedAtMs = Date.parse(event.acceptedAt);
  const parent =
    event.parentId === undefined
      ? undefined
      : liveEntry(tables.comments, event.parentId, acceptedAtMs, deps.retentionWindowMs ?? 0);
  const parentAuthorId = parent?.threadId === event.threadId ? parent.authorId : undefined;
  const tokens = parseMarkdown(event.body);
  const spam = spamScore(event.body, deps.burst.record(event.author.id, acceptedAtMs));
  deps.observeSpam?.(spam.score);
  // A replayed creation (at least once) keeps what was decided since: held by an edit, approved
  // or rejected by a moderator.
  const held =
    known?.decided?.verdict === 'approved' ? undefined : (known?.held ?? holdFor(thread, spam, deps));
  const enriched: EnrichedCreated = {
    type: event.type,
    ...base,
    author,
    html: renderMarkdown(event.body, tokens),
    mentions: extractMentions(event.body, tokens),
    ...(event.parentId !== undefined && { parentId: event.parentId }),
    ...(parentAuthorId !== undefined && { parentAuthorId }),
    moderation: thread?.moderation ?? 'open',
    spam,
    ...(held !== undefined && { held }),
  };
  // A replay after a hold or a decision leaves the entry as it is (its pending text may be an edit's).
  if (known !== undefined && (known.held !== undefined || known.decided !== undefined)) {
    return { event: enriched };
  }
  const html = enriched.html;
  const createdAtMs = Number.isFinite(acceptedAtMs) ? Math.floor(acceptedAtMs) : undefined;
  const index: CommentIndexEntry = {
    commentId: event.commentId,
    threadId: event.threadId,
    authorId: event.author.id,
    ...(held !== undefined && {
      held,
      // What an approval will deliver to the thread, as it would have been delivered now.
      pending: {
        kind: 'created',
        eventId: event.eventId,
        author,
        html,
        mentions: enriched.mentions,
        ...(event.parentId !== undefined && { parentId: event.parentId }),
        ...(parentAuthorId !== undefined && { parentAuthorId }),
        createdAt: event.acceptedAt,
      },
    }),
    ...(createdAtMs !== undefined && { createdAt: createdAtMs }),
  };
  return { event: enriched, index, createdAtMs };
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
