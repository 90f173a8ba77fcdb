/**
 * Channels a socket subscribes to, and the Kafka key each one's deliveries carry.
 * `thread:<id>` is keyed by the thread id itself, so its deliveries land in the same partition
 * number as the thread's comments; the others are keyed by the whole channel name.
 */
export type ChannelKind = 'thread' | 'user' | 'mod';

export interface Channel {
  kind: ChannelKind;
  id: string;
  name: string;
}

const ID = /^[A-Za-z0-9_.-]{1,128}$/;
export const ID_PATTERN = ID.source;

export function threadChannel(threadId: string): string {
  return `thread:${threadId}`;
}
export function userChannel(userId: string): string {
  return `user:${userId}`;
}
export function modChannel(forumId: string): string {
  return `mod:${forumId}`;
}

/** Parses `kind:id`; undefined for anything else. */
export function parseChannel(name: string): Channel | undefined {
  const i = name.indexOf(':');
  if (i < 0) return undefined;
  const kind = name.slice(0, i);
  const id = name.slice(i + 1);
  if ((kind !== 'thread' && kind !== 'user' && kind !== 'mod') || !ID.test(id)) return undefined;
  return { kind, id, name };
}

/** The Kafka key of a channel's deliveries. */
export function channelKey(channel: string): string {
  return channel.startsWith('thread:') ? channel.slice('thread:'.length) : channel;
}
