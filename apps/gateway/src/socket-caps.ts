/**
 * How many sockets one pod holds, and how many of them one client address: each has a cap, so
 * neither a single host nor a crowd can take the pod's memory. A slot is taken when a handshake
 * begins (before the token is checked, so concurrent handshakes cannot all slip under the cap)
 * and given back when the socket closes or the handshake fails.
 */
export type Admission = 'ok' | 'pod_full' | 'address_full';

export interface SocketCaps {
  take(address: string): Admission;
  release(address: string): void;
  readonly total: number;
  /** Sockets (and handshakes in progress) of the address. */
  countOf(address: string): number;
}

export function createSocketCaps(maxSockets: number, maxPerAddress: number): SocketCaps {
  const perAddress = new Map<string, number>();
  let total = 0;
  return {
    take(address) {
      if (total >= maxSockets) return 'pod_full';
      const n = perAddress.get(address) ?? 0;
      if (n >= maxPerAddress) return 'address_full';
      perAddress.set(address, n + 1);
      total++;
      return 'ok';
    },
    release(address) {
      const n = perAddress.get(address);
      if (n === undefined) return;
      if (n <= 1) perAddress.delete(address);
      else perAddress.set(address, n - 1);
      total--;
    },
    get total() {
      return total;
    },
    countOf: (address) => perAddress.get(address) ?? 0,
  };
}
