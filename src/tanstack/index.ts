// `syncline/tanstack`: Syncline through TanStack Query (any binding: React, Vue, Solid, ...),
// with live updates.

export { SynclineQueryClient } from "./syncline-query-client.js";
export { synclineQuery, synclineQueryFn, isSynclineKey, SYNCLINE_KEY, type SynclineQueryKey, type SynclineQueryOptions, type SkippedSynclineQueryOptions } from "./query-options.js";
export { synclineMutation, synclineAction } from "./mutations.js";
