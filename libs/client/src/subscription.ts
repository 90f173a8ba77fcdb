import type { ClientEvent } from '@threadcast/contracts';

export interface EventMeta {
  channel: string;
  /** Opaque. Store it to resume elsewhere; the client already resumes from it on reconnect. */
  cursor: string;
}

export interface SubscriptionHandlers {
  /** Each event once (duplicates by eventId are dropped), in channel order. */
  onEvent(event: ClientEvent, meta: EventMeta): void;
  /** The server could not resume from the cursor: events were missed, so refetch the history. */
  onReset?(): void;
  /** How many sockets read the channel now, across all gateway pods; called when it changes. */
  onPresence?(count: number): void;
  /** The server refused something about this channel, e.g. `forbidden`. */
  onError?(code: string, message: string): void;
}

export interface Subscription {
  readonly channel: string;
  /** Idempotent. The channel is left once its last subscription is gone. */
  unsubscribe(): void;
}
