import { createHash, randomBytes } from 'node:crypto';

export interface WriteIds {
  /** The new comment's id on create; unused by the other writes, whose comment id is in the path. */
  commentId: string;
  eventId: string;
}

/**
 * Ids for one write. With an Idempotency-Key they are derived from (route, path ids, key), so a
 * retry gets the same ids on any pod, after any restart, and downstream stages drop the second
 * event by its eventId. Without a key they are random. 128 bits either way, base64url (which the
 * contract's id alphabet admits).
 */
export function writeIds(scope: string, idempotencyKey: string | undefined): WriteIds {
  if (idempotencyKey === undefined) {
    return { commentId: `c${randomId()}`, eventId: `e${randomId()}` };
  }
  return {
    commentId: `c${derivedId('comment', scope, idempotencyKey)}`,
    eventId: `e${derivedId('event', scope, idempotencyKey)}`,
  };
}

/** What identifies a write besides its key: the route and every id in its path. */
export function writeScope(route: string, pathIds: readonly string[]): string {
  return [route, ...pathIds].join('\n');
}

function derivedId(purpose: string, scope: string, key: string): string {
  // Newlines cannot occur in ids or header values, so the parts cannot run into each other.
  return createHash('sha256')
    .update(`${purpose}\n${scope}\n${key}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

function randomId(): string {
  return randomBytes(16).toString('base64url');
}
