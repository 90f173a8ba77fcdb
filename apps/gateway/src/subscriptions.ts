/**
 * Which sockets listen to which channel. The delivery path only ever asks `subscribers(channel)`,
 * one map lookup per record; the per-client index exists so a closing socket leaves in
 * O(its channels) without scanning every channel.
 */
export type SubscribeResult = 'added' | 'already' | 'limit';

export interface Subscriptions<C> {
  /** Idempotent: a second subscribe to the same channel is 'already', not counted twice. */
  subscribe(client: C, channel: string, max: number): SubscribeResult;
  /** False when the client was not subscribed. */
  unsubscribe(client: C, channel: string): boolean;
  /** Drops every subscription of the client; returns how many there were. */
  removeClient(client: C): number;
  /** The channel's sockets, or undefined when nobody here listens (the common, cheap case). */
  subscribers(channel: string): ReadonlySet<C> | undefined;
  countOf(client: C): number;
  /** Subscriptions held by all clients. */
  readonly size: number;
  /** Channels with at least one subscriber. */
  readonly channelCount: number;
}

export function createSubscriptions<C>(): Subscriptions<C> {
  const byChannel = new Map<string, Set<C>>();
  const byClient = new Map<C, Set<string>>();
  let size = 0;

  const leave = (client: C, channel: string) => {
    const sockets = byChannel.get(channel);
    if (!sockets) return;
    sockets.delete(client);
    if (sockets.size === 0) byChannel.delete(channel);
  };

  return {
    subscribe(client, channel, max) {
      let mine = byClient.get(client);
      if (mine?.has(channel)) return 'already';
      if ((mine?.size ?? 0) >= max) return 'limit';
      if (!mine) byClient.set(client, (mine = new Set()));
      mine.add(channel);
      let sockets = byChannel.get(channel);
      if (!sockets) byChannel.set(channel, (sockets = new Set()));
      sockets.add(client);
      size++;
      return 'added';
    },
    unsubscribe(client, channel) {
      const mine = byClient.get(client);
      if (!mine?.delete(channel)) return false;
      if (mine.size === 0) byClient.delete(client);
      leave(client, channel);
      size--;
      return true;
    },
    removeClient(client) {
      const mine = byClient.get(client);
      if (!mine) return 0;
      byClient.delete(client);
      for (const channel of mine) leave(client, channel);
      size -= mine.size;
      return mine.size;
    },
    subscribers: (channel) => byChannel.get(channel),
    countOf: (client) => byClient.get(client)?.size ?? 0,
    get size() {
      return size;
    },
    get channelCount() {
      return byChannel.size;
    },
  };
}
