export { createClient } from './create-client';
export type { Client, ClientOptions, ClientState, CloseInfo } from './create-client';
export type { EventMeta, Subscription, SubscriptionHandlers } from './subscription';
export { DEFAULT_BACKOFF, backoffDelay } from './backoff';
export type { BackoffOptions } from './backoff';
export { createRecentIds } from './recent-ids';
export type { RecentIds } from './recent-ids';
export { isChannelName } from './channel-name';
// The wire protocol is defined once, in @threadcast/contracts; re-exported for clients' ease.
export {
  CLOSE_CODES,
  TERMINAL_CLOSE_CODES,
  isTerminalClose,
  parseServerFrame,
  subscribeFrame,
  unsubscribeFrame,
  PING_FRAME,
} from '@threadcast/contracts';
export type { InvalidServerFrame, ServerFrame } from '@threadcast/contracts';
export type { CloseEventLike, MessageEventLike, WebSocketConstructor, WebSocketLike } from './websocket-like';
