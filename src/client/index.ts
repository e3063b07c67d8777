// The framework-free client.

export { SynclineClient } from "./client.js";
export { SynclineHttpClient, type SynclineHttpClientOptions, type HttpMutationOptions } from "./http-client.js";
export { QueryWatch } from "./query-watch.js";
export {
  PaginatedQueryWatch,
  watchPaginatedQuery,
  type PaginatedQueryResult,
  type PaginatedQueryReference,
  type PaginatedQueryArgs,
  type PaginatedQueryItem,
  type PaginationOptions,
  type PaginationResult,
  type PaginationStatus,
  type PageWatch,
} from "./paginated-query.js";
export { LOADING, type QueryResult } from "./query-result.js";
export { inspectClient, type ClientEvent, type ClientEventListener, type InspectedAuth, type InspectedQuery, type InspectedRequest, type LogLevel } from "./inspect.js";
export { SynclineClientError, type ClientErrorCode } from "./errors.js";
export { CLIENT_PROTOCOL_VERSION } from "./version.js";
export { HttpRequestError } from "../../transport/http.js";
export type { WebSocketConstructor } from "../../transport/websocket.js";
export type { ReconnectBackoff } from "../../transport/backoff.js";
export type {
  ArgsAndOptions,
  AuthTokenFetcher,
  ClientDebugInfo,
  ConnectionState,
  Logger,
  MutationOptions,
  OptimisticLocalStore,
  OptimisticUpdate,
  PublicActionReference,
  PublicMutationReference,
  PublicQueryReference,
  SynclineClientOptions,
  WatchOptions,
} from "./types.js";
