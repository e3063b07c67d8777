// Mutations and actions for TanStack's useMutation.
//
// Optimistic updates: pass Syncline's `optimisticUpdate` here rather than editing the TanStack
// cache in `onMutate`. The Syncline update changes the local query results, which flow into the
// TanStack cache through the live subscriptions, and it is replaced by the server's result in the
// same step the mutation's result becomes visible (no flicker, rolled back on failure). An
// `onMutate` that writes Syncline keys itself would be overwritten by the next live result.
// Use `onMutate` for everything else (toasts, local UI state, other query libraries' data).

import type { SynclineClient } from "../client/client.js";
import type { ArgsAndOptions, MutationOptions, OptimisticUpdate, PublicActionReference, PublicMutationReference } from "../client/types.js";
import { assertClientReference, type FunctionArgs, type FunctionReturnType, type OptionalRestArgs } from "../functions/reference.js";

/**
 * `mutationFn` for a Syncline mutation.
 *
 * @example
 * const send = useMutation(synclineMutation(synclineClient, api.messages.send, {
 *   optimisticUpdate: (store, args) => { ... },
 * }));
 * send.mutate({ room, body });
 */
export function synclineMutation<M extends PublicMutationReference>(
  client: SynclineClient,
  mutation: M,
  options: { optimisticUpdate?: OptimisticUpdate<FunctionArgs<M>> } = {},
): { mutationFn: (args: FunctionArgs<M>) => Promise<FunctionReturnType<M>> } {
  assertClientReference(mutation, "mutation");
  const callOptions = options.optimisticUpdate ? { optimisticUpdate: options.optimisticUpdate } : undefined;
  return {
    mutationFn: (args) => client.mutation(mutation, ...([args, callOptions] as unknown as ArgsAndOptions<M, MutationOptions<FunctionArgs<M>>>)),
  };
}

/**
 * `mutationFn` for a Syncline action.
 *
 * @example
 * const summarize = useMutation(synclineAction(synclineClient, api.summaries.summarize));
 */
export function synclineAction<A extends PublicActionReference>(
  client: SynclineClient,
  action: A,
): { mutationFn: (args: FunctionArgs<A>) => Promise<FunctionReturnType<A>> } {
  assertClientReference(action, "action");
  return { mutationFn: (args) => client.action(action, ...([args] as unknown as OptionalRestArgs<A>)) };
}
