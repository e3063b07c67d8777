// `syncline/react`: React bindings over the framework-free client. Thin by design: every hook is
// useSyncExternalStore over a client watch; nothing here knows the wire protocol.

export { SynclineProvider, useSyncline } from "./context.js";
export { ClientOnlyError, useQuery, useQueryState, useSuspenseQuery, type QueryState } from "./use-query.js";
export { useQueries, type QueryRequest, type QueriesResult } from "./use-queries.js";
export { useMutation, useMutationState, useAction, type ReactMutation, type MutationState } from "./use-mutation.js";
export { usePaginatedQuery, type UsePaginatedQueryResult } from "./use-paginated-query.js";
export { insertAtTop, insertAtBottomIfLoaded, updateInPaginatedQuery } from "./paginated-updates.js";
export { useConnectionState } from "./use-connection-state.js";
export { preloadQuery, usePreloadedQuery, type Preloaded } from "./preload.js";
export type { QueryHookOptions } from "./query-args.js";
export {
  SynclineProviderWithAuth,
  useSynclineAuth,
  Authenticated,
  Unauthenticated,
  AuthLoading,
  type AuthAdapter,
  type SynclineAuthState,
} from "./auth.js";
