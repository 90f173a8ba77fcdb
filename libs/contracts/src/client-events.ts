/**
 * What a browser receives inside an `event` frame (gateway protocol v1). route builds these;
 * the `deliveries` topic (key = channelKey(channel)) holds each as the exact frame JSON without
 * its cursor: `{"op":"event","channel":"...","event":{...}}`. The gateway appends the cursor.
 */
export interface ClientAuthor {
  id: string;
  name: string;
  avatarUrl?: string;
}

export interface ClientCommentCreated {
  type: 'comment.created';
  eventId: string;
  id: string;
  threadId: string;
  parentId: string | null;
  author: ClientAuthor;
  html: string;
  mentions: string[];
  createdAt: string;
  /** Set on `user:` channels: why this user is told. */
  reason?: 'reply' | 'mention';
  /** Set on `mod:` channels: why the comment is held back from the thread. */
  held?: ClientHeld;
}

/** On `mod:` channels: why a comment is held back from its thread, and its (latest) spam score. */
export interface ClientHeld {
  reason: 'premoderated' | 'spam';
  spamScore: number;
  spamReasons: string[];
}

export interface ClientCommentEdited {
  type: 'comment.edited';
  eventId: string;
  id: string;
  threadId: string;
  html: string;
  mentions: string[];
  editedAt: string;
  /** Set on `mod:` channels: the edited comment is held (edits of held comments go nowhere else). */
  held?: ClientHeld;
}

export interface ClientCommentDeleted {
  type: 'comment.deleted';
  eventId: string;
  id: string;
  threadId: string;
  deletedAt: string;
  /** Set on `mod:` channels: the deleted comment was held (its delete goes nowhere else). */
  held?: { reason: 'premoderated' | 'spam' };
}

/** Votes are coalesced: one of these per comment per window, with the running total. */
export interface ClientCommentScore {
  type: 'comment.score';
  eventId: string;
  id: string;
  threadId: string;
  score: number;
  up: number;
  down: number;
  at: string;
}

/**
 * On `mod:` channels only: a moderator approved a held comment (its thread now has it) or
 * rejected it (its thread never will). Moderator views drop it from their held list.
 */
export interface ClientCommentApproved {
  type: 'comment.approved';
  eventId: string;
  id: string;
  threadId: string;
  moderatorId: string;
  approvedAt: string;
}

export interface ClientCommentRejected {
  type: 'comment.rejected';
  eventId: string;
  id: string;
  threadId: string;
  moderatorId: string;
  rejectedAt: string;
  reason?: string;
}

export type ClientEvent =
  | ClientCommentCreated
  | ClientCommentEdited
  | ClientCommentDeleted
  | ClientCommentScore
  | ClientCommentApproved
  | ClientCommentRejected;

/** The value of a `deliveries` record. */
export interface DeliveryFrame {
  op: 'event';
  channel: string;
  event: ClientEvent;
}
