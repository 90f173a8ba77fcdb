/**
 * What the page shows of one thread, as a pure reducer over gateway events: no DOM here, so it is
 * unit-tested in Node. The page only renders what `apply` says changed.
 */
import type { ClientAuthor, ClientEvent } from '@threadcast/contracts';

export interface CommentView {
  id: string;
  author: ClientAuthor;
  /** Sanitized by enrich (markdown rendered, scripts escaped): safe to insert as HTML. */
  html: string;
  createdAt: string;
  edited: boolean;
  deleted: boolean;
  score: number;
}

export interface ThreadState {
  readonly comments: Map<string, CommentView>;
}

/** What an event changed: a new comment, an update of one, or nothing (unknown id). */
export type Change =
  { kind: 'added'; comment: CommentView } | { kind: 'updated'; comment: CommentView } | undefined;

export function emptyThread(): ThreadState {
  return { comments: new Map() };
}

export function apply(state: ThreadState, event: ClientEvent): Change {
  if (event.type === 'comment.created') {
    if (state.comments.has(event.id)) return undefined;
    const comment: CommentView = {
      id: event.id,
      author: event.author,
      html: event.html,
      createdAt: event.createdAt,
      edited: false,
      deleted: false,
      score: 0,
    };
    state.comments.set(event.id, comment);
    return { kind: 'added', comment };
  }
  // Edits, deletes and scores of comments posted before the page opened are not shown.
  const comment = state.comments.get(event.id);
  if (!comment) return undefined;
  switch (event.type) {
    case 'comment.edited':
      comment.html = event.html;
      comment.edited = true;
      break;
    case 'comment.deleted':
      comment.deleted = true;
      comment.html = '';
      break;
    case 'comment.score':
      comment.score = event.score;
      break;
  }
  return { kind: 'updated', comment };
}

/** A comment held back from its thread, as a moderator sees it on `mod:<forumId>`. */
export interface HeldView {
  id: string;
  threadId: string;
  author: ClientAuthor;
  html: string;
  createdAt: string;
  reason: 'premoderated' | 'spam';
  /** e.g. "spam score 0.9: links, blocklist"; empty for premoderation. */
  detail: string;
}

/** The held comment a `mod:` channel event announces, or undefined for anything else. */
export function heldFrom(event: ClientEvent): HeldView | undefined {
  if (event.type !== 'comment.created' || !event.held) return undefined;
  const { reason, spamScore, spamReasons } = event.held;
  return {
    id: event.id,
    threadId: event.threadId,
    author: event.author,
    html: event.html,
    createdAt: event.createdAt,
    reason,
    detail:
      reason === 'spam'
        ? `spam score ${spamScore}${spamReasons.length ? `: ${spamReasons.join(', ')}` : ''}`
        : '',
  };
}

/** A held comment a moderator approved or rejected: the moderator view drops it from its list. */
export function decidedFrom(
  event: ClientEvent,
): { id: string; verdict: 'approved' | 'rejected' } | undefined {
  if (event.type === 'comment.approved') return { id: event.id, verdict: 'approved' };
  if (event.type === 'comment.rejected') return { id: event.id, verdict: 'rejected' };
  return undefined;
}

/** Whether this page's user wrote the comment (and so may edit and delete it). */
export function isOwn(comment: CommentView, userId: string): boolean {
  return comment.author.id === userId && !comment.deleted;
}

/** Up to two initials for an avatar without a picture. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]![0], words.at(-1)![0]] : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** Accept (ingest's createdAt) to shown, for the latency readout. */
export function latencyMs(createdAt: string, shownAt: number): number | undefined {
  const accepted = Date.parse(createdAt);
  return Number.isNaN(accepted) ? undefined : Math.max(0, shownAt - accepted);
}

export function presenceText(count: number): string {
  return `${count} reading now`;
}

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** A thread id from user input or the URL hash; undefined when it is not a valid id. */
export function threadIdFrom(raw: string): string | undefined {
  const id = raw.replace(/^#/, '').trim();
  return ID.test(id) ? id : undefined;
}

/** A user id for a display name: stable for the name, valid as an ingest id. */
export function userIdFor(name: string, suffix: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    // Runs are one dash by now; `-+$` would be retried from every dash of a run (quadratic).
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `u-${slug || 'guest'}-${suffix}`;
}
