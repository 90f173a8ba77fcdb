/**
 * The sequence numbers one socket has received on its channel: a growable bit set, so a socket
 * costs a few bytes per hundred events and a duplicate is told apart from a first arrival.
 */
export interface SeqSet {
  /** True when `seq` is new; false for a duplicate. */
  add(seq: number): boolean;
  has(seq: number): boolean;
  readonly size: number;
}

export function createSeqSet(): SeqSet {
  let bits = new Uint8Array(16);
  let size = 0;
  return {
    add(seq) {
      const byte = seq >>> 3;
      if (byte >= bits.length) {
        const grown = new Uint8Array(Math.max(byte + 1, bits.length * 2));
        grown.set(bits);
        bits = grown;
      }
      const mask = 1 << (seq & 7);
      if (bits[byte]! & mask) return false;
      bits[byte]! |= mask;
      size++;
      return true;
    },
    has(seq) {
      const byte = seq >>> 3;
      return byte < bits.length && (bits[byte]! & (1 << (seq & 7))) !== 0;
    },
    get size() {
      return size;
    },
  };
}
