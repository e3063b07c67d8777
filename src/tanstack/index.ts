// `syncline/tanstack`: Syncline through TanStack Query (any binding: React, Vue, Solid, ...),
// with live updates.

export { SynclineQueryClient } from "./syncline-query-client.js";
export { synclineQuery, synclineQueryFn, type SynclineQueryOptions, type SkippedSynclineQueryOptions } from "./query-options.js";
export { isSynclineKey, SYNCLINE_KEY, type SynclineQueryKey } from "./query-key.js";
export { synclineMutation, synclineAction } from "./mutations.js";
