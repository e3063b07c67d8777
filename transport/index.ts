// Transports: how bytes reach the server. They know the wire, not queries.

export { Backoff, DEFAULT_RECONNECT_BACKOFF, type BackoffReason, type BackoffOptions, type ReconnectBackoff } from "./backoff.js";
export { TransitionChunkAssembler, ChunkSequenceError } from "./chunks.js";
export {
  WebSocketTransport,
  INACTIVE_SERVER,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
  type TransportLog,
  type WebSocketTransportEvents,
  type SocketState,
  type OpenInfo,
  type CloseInfo,
} from "./websocket.js";
export { HttpTransport, HttpRequestError, type HttpCallOutcome, type HttpFunctionKind, type FetchFunction } from "./http.js";
export { watchNetworkRecovery, type RecoveryHint } from "./network-recovery.js";
