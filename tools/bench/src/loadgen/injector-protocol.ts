/** The commands the fan-out injector answers, and what it answers with. */
import type { Usage } from '../self-usage';

export interface InjectArgs {
  /** Channel names, events go round-robin over them. */
  channels: string[];
  events: number;
  /** Events per second; 0: flat out. */
  rate: number;
  /** Size of the frame clients receive, cursor included, about. */
  frameBytes: number;
  /**
   * Where the events go instead of `deliveries`: Centrifugo's topic, in its publication data
   * mode's shape (same key and value, the channel in a `centrifugo-channels` header).
   */
  sink?: { topic: string; format: 'centrifugo' };
  /** Emit an `injected` event once this many records were acknowledged (fault injection). */
  notifyAt?: number;
}

export interface InjectResult {
  made: number;
  /** Acknowledged by the broker (acks=all): these count as sent. */
  acked: number;
  failed: number;
  errors: string[];
  /** Events sent so far per channel index: sequence numbers 0..n-1 of this phase. */
  perChannel: number[];
  /** Monotonic µs of the first and last injection stamps. */
  firstT: number;
  lastT: number;
  /** At a rate: the most events the injector was ever behind its schedule. */
  maxBehind: number;
  usage: Usage;
}
