import type { ClientEvent } from '@threadcast/contracts';
import { createRecentIds, type RecentIds } from './recent-ids';
import type { SubscriptionHandlers } from './subscription';

/** One subscription's handlers; a wrapper so the same handlers object can subscribe twice. */
export interface Listener {
  readonly handlers: SubscriptionHandlers;
}

/** What the client keeps per channel, shared by all of the channel's subscriptions. */
export interface ChannelState {
  readonly name: string;
  readonly listeners: Set<Listener>;
  /** Where to resume from: the last cursor received on the channel. */
  cursor: string | undefined;
  deliver(event: ClientEvent, cursor: string): void;
  reset(): void;
  error(code: string, message: string): void;
  presence(count: number): void;
}

export function createChannelState(name: string, recentIdsCapacity: number): ChannelState {
  const recent: RecentIds = createRecentIds(recentIdsCapacity);
  const channel: ChannelState = {
    name,
    listeners: new Set(),
    cursor: undefined,
    deliver(event, cursor) {
      // A duplicate still moves the cursor: it was re-sent after the original, so resuming
      // from it skips nothing.
      channel.cursor = cursor;
      if (recent.seen(event.eventId)) return;
      const meta = { channel: name, cursor };
      for (const l of channel.listeners) guard(() => l.handlers.onEvent(event, meta));
    },
    reset() {
      // Resuming from this cursor is what the server just refused. The recent ids stay: events
      // sent again after the reset are still duplicates.
      channel.cursor = undefined;
      for (const l of channel.listeners) guard(() => l.handlers.onReset?.());
    },
    error(code, message) {
      for (const l of channel.listeners) guard(() => l.handlers.onError?.(code, message));
    },
    presence(count) {
      for (const l of channel.listeners) guard(() => l.handlers.onPresence?.(count));
    },
  };
  return channel;
}

/**
 * Runs an app callback so that its exception neither skips the other listeners nor breaks the
 * client's frame handling, and still surfaces (as an uncaught error, like an event listener's).
 */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    setTimeout(() => {
      throw e;
    }, 0);
  }
}
