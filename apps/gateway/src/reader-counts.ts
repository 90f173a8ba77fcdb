/**
 * Readers of each channel on this pod, counted once per client address: what presence reports.
 * Counting sockets would let one host open its socket cap's worth of subscriptions and multiply
 * the "reading now" figure and the presence traffic every change causes.
 */
export interface ReaderCounts {
  /** True when the address is new to the channel (the count went up). */
  add(channel: string, address: string): boolean;
  /** True when it was the address's last subscription to the channel (the count went down). */
  remove(channel: string, address: string): boolean;
  /** Distinct client addresses subscribed to the channel. */
  count(channel: string): number;
}

export function createReaderCounts(): ReaderCounts {
  const byChannel = new Map<string, Map<string, number>>();
  return {
    add(channel, address) {
      let addresses = byChannel.get(channel);
      if (!addresses) byChannel.set(channel, (addresses = new Map()));
      const n = addresses.get(address) ?? 0;
      addresses.set(address, n + 1);
      return n === 0;
    },
    remove(channel, address) {
      const addresses = byChannel.get(channel);
      const n = addresses?.get(address);
      if (!addresses || n === undefined) return false;
      if (n > 1) {
        addresses.set(address, n - 1);
        return false;
      }
      addresses.delete(address);
      if (addresses.size === 0) byChannel.delete(channel);
      return true;
    },
    count: (channel) => byChannel.get(channel)?.size ?? 0,
  };
}
