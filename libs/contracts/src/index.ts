export { TOPICS, MAX_TOPIC_MESSAGE_BYTES, defaultMinInsyncReplicas, topicSpecs } from './topics';
export type { TopicName, TopicSpec } from './topics';
export { HEADERS, DLQ_HEADERS, SCHEMA_IDS } from './headers';
export { ID_PATTERN, channelKey, modChannel, parseChannel, threadChannel, userChannel } from './channels';
export type { Channel, ChannelKind } from './channels';
export {
  Body,
  COMMENT_EVENT_TYPES,
  CommentApproved,
  CommentCreated,
  CommentDeleted,
  CommentEdited,
  CommentEvent,
  CommentRejected,
  CommentVoted,
  EventId,
  Id,
  MAX_BODY_CHARS,
  MAX_REJECT_REASON_CHARS,
  Timestamp,
} from './comment-events';
export type { CommentEventType } from './comment-events';
export {
  CommentIndexEntry,
  Decision,
  HeldReason,
  Moderation,
  PendingComment,
  ThreadInfo,
  UserProfile,
} from './tables';
export {
  EnrichedApproved,
  EnrichedAuthor,
  EnrichedCreated,
  EnrichedDeleted,
  EnrichedEdited,
  EnrichedEvent,
  EnrichedRejected,
  EnrichedVoted,
  Spam,
} from './enriched-events';
export type {
  ClientAuthor,
  ClientCommentApproved,
  ClientCommentCreated,
  ClientCommentDeleted,
  ClientCommentEdited,
  ClientCommentRejected,
  ClientCommentScore,
  ClientEvent,
  ClientHeld,
  DeliveryFrame,
} from './client-events';
export { validate } from './validate';
export type { Validation } from './validate';
export {
  MAX_EVENT_BYTES,
  checkCommentEvent,
  decodeCommentEvent,
  decodeEnrichedEvent,
  decodeJson,
  decodeWith,
} from './decode-record';
export { commentRecord } from './comment-record';
export type { CommentEventInput, CommentRecord } from './comment-record';
export { publishedSchemas } from './published-schemas';
export { CLOSE_CODES, TERMINAL_CLOSE_CODES, isTerminalClose } from './close-codes';
export { PING_FRAME, parseClientFrame, subscribeFrame, unsubscribeFrame } from './client-frames';
export type { ClientOp, FrameId, InvalidFrame } from './client-frames';
export {
  errorFrame,
  eventFrameValue,
  parseServerFrame,
  pongFrame,
  presenceFrame,
  resetFrame,
  subscribedFrame,
  unsubscribedFrame,
} from './server-frames';
export type { ErrorCode, InvalidServerFrame, ServerFrame } from './server-frames';
