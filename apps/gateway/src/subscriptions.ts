/**
 * Which sockets listen to which channel, and from where. The delivery path only ever asks
 * `subscribers(channel)`, one map lookup per record; the per-client index lets a closing socket
 * leave in O(its channels), and the per-partition counts tell the reader which partitions of
 * `deliveries` anyone on this pod still needs.
 */
export interface Subscription<C> {
  readonly client: C;
  readonly channel: string;
  readonly partition: number;
  /**
   * The last offset this subscription has been given (or skipped past): a record at or below it
   * is not sent again. This is what makes replays duplicate-free for everyone else on the
   * partition when the reader moves back for one newcomer.
   */
  after: number;
}

export interface Subscriptions<C> {
  /**
   * Adds the subscription, or moves an existing one to `after` (a re-subscribe with a cursor).
   * Returns true when it is new.
   */
  put(client: C, channel: string, partition: number, after: number): boolean;
  /** False when the client was not subscribed. */
  remove(client: C, channel: string): boolean;
  /** Drops every subscription of the client; returns how many there were. */
  removeClient(client: C): number;
  /** The channel's subscriptions, or undefined when nobody here listens (the cheap, common case). */
  subscribers(channel: string): ReadonlySet<Subscription<C>> | undefined;
  has(client: C, channel: string): boolean;
  /** The client's subscription to the channel, if any. */
  get(client: C, channel: string): Subscription<C> | undefined;
  countOf(client: C): number;
  /** The channels the client is subscribed to. */
  channelsOf(client: C): string[];
  /** Subscriptions on channels of this partition. */
  countOnPartition(partition: number): number;
  /** Subscriptions held by all clients. */
  readonly size: number;
  /** Channels with at least one subscriber. */
  readonly channelCount: number;
}

/** `onPartitionIdle` runs when the last subscription on a partition goes. */
export function createSubscriptions<C>(
  onPartitionIdle: (partition: number) => void = () => {},
): Subscriptions<C> {
  const byChannel = new Map<string, Set<Subscription<C>>>();
  const byClient = new Map<C, Map<string, Subscription<C>>>();
  const perPartition = new Map<number, number>();
  let size = 0;

  const leave = (sub: Subscription<C>) => {
    const subs = byChannel.get(sub.channel);
    if (subs) {
      subs.delete(sub);
      if (subs.size === 0) byChannel.delete(sub.channel);
    }
    size--;
    const left = (perPartition.get(sub.partition) ?? 1) - 1;
    if (left > 0) perPartition.set(sub.partition, left);
    else {
      perPartition.delete(sub.partition);
      onPartitionIdle(sub.partition);
    }
  };

  return {
    put(client, channel, partition, after) {
      let mine = byClient.get(client);
      const existing = mine?.get(channel);
      if (existing) {
        existing.after = after;
        return false;
      }
      if (!mine) byClient.set(client, (mine = new Map()));
      const sub: Subscription<C> = { client, channel, partition, after };
      mine.set(channel, sub);
      let subs = byChannel.get(channel);
      if (!subs) byChannel.set(channel, (subs = new Set()));
      subs.add(sub);
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
      size++;
      return true;
    },
    remove(client, channel) {
      const mine = byClient.get(client);
      const sub = mine?.get(channel);
      if (!mine || !sub) return false;
      mine.delete(channel);
      if (mine.size === 0) byClient.delete(client);
      leave(sub);
      return true;
    },
    removeClient(client) {
      const mine = byClient.get(client);
      if (!mine) return 0;
      byClient.delete(client);
      for (const sub of mine.values()) leave(sub);
      return mine.size;
    },
    subscribers: (channel) => byChannel.get(channel),
    has: (client, channel) => byClient.get(client)?.has(channel) ?? false,
    get: (client, channel) => byClient.get(client)?.get(channel),
    countOf: (client) => byClient.get(client)?.size ?? 0,
    channelsOf: (client) => [...(byClient.get(client)?.keys() ?? [])],
    countOnPartition: (partition) => perPartition.get(partition) ?? 0,
    get size() {
      return size;
    },
    get channelCount() {
      return byChannel.size;
    },
  };
}
