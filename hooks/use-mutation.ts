// Mutations and actions from React: stable async functions, plus a TanStack-style state hook
// for components that show pending and error states of their own calls.

import { useCallback, useDebugValue, useMemo, useRef, useState } from "react";
import type { ArgsAndOptions, MutationOptions, OptimisticUpdate, PublicActionReference, PublicMutationReference } from "../src/client/types.js";
import { assertClientReference, getFunctionName, type FunctionArgs, type FunctionReturnType, type OptionalRestArgs } from "../src/functions/reference.js";
import { useSyncline } from "./context.js";

/** A mutation as a function, with a way to add an optimistic update. */
export interface ReactMutation<M extends PublicMutationReference> {
  (...args: OptionalRestArgs<M>): Promise<FunctionReturnType<M>>;
  /** The same mutation, applying `update` locally until the server's result is visible. */
  withOptimisticUpdate(update: OptimisticUpdate<FunctionArgs<M>>): ReactMutation<M>;
}

function makeMutation<M extends PublicMutationReference>(
  run: (args: FunctionArgs<M> | undefined, update: OptimisticUpdate<FunctionArgs<M>> | undefined) => Promise<FunctionReturnType<M>>,
  update?: OptimisticUpdate<FunctionArgs<M>>,
): ReactMutation<M> {
  const mutate = ((...args: OptionalRestArgs<M>) => run(args[0] as FunctionArgs<M> | undefined, update)) as ReactMutation<M>;
  mutate.withOptimisticUpdate = (next) => {
    if (update !== undefined) throw new Error("This mutation already has an optimistic update.");
    return makeMutation(run, next);
  };
  return mutate;
}

/**
 * A stable function calling a mutation. Mutations of one client run in call order, and the
 * promise resolves once the result is visible in subscribed queries.
 *
 * @example
 * const send = useMutation(api.messages.send).withOptimisticUpdate((store, { room, body }) => { ... });
 * await send({ room, body });
 */
export function useMutation<M extends PublicMutationReference>(mutation: M): ReactMutation<M> {
  assertClientReference(mutation, "mutation");
  const client = useSyncline();
  const name = getFunctionName(mutation);
  useDebugValue(name);
  const latest = useRef(mutation);
  latest.current = mutation;
  return useMemo(
    () =>
      makeMutation<M>((args, optimisticUpdate) =>
        client.mutation(
          latest.current,
          ...([args, optimisticUpdate ? { optimisticUpdate } : undefined] as unknown as ArgsAndOptions<M, MutationOptions<FunctionArgs<M>>>),
        ),
      ),
    [client, name],
  );
}

/**
 * A stable function calling an action. Actions run in parallel; one in flight when the
 * connection drops fails (actions are never retried).
 *
 * @example
 * const summarize = useAction(api.summaries.summarize);
 * const text = await summarize({ room });
 */
export function useAction<A extends PublicActionReference>(action: A): (...args: OptionalRestArgs<A>) => Promise<FunctionReturnType<A>> {
  assertClientReference(action, "action");
  const client = useSyncline();
  const name = getFunctionName(action);
  useDebugValue(name);
  const latest = useRef(action);
  latest.current = action;
  return useCallback((...args: OptionalRestArgs<A>) => client.action(latest.current, ...args), [client, name]);
}

/** The state of this component's calls of one mutation, as TanStack Query's useMutation shows it. */
export interface MutationState<M extends PublicMutationReference> {
  status: "idle" | "pending" | "success" | "error";
  isIdle: boolean;
  isPending: boolean;
  isSuccess: boolean;
  isError: boolean;
  /** The last successful result. */
  data: FunctionReturnType<M> | undefined;
  error: Error | null;
  /** The arguments of the latest call. */
  variables: FunctionArgs<M> | undefined;
  /** Calls the mutation; errors go to `error`, not to the caller. */
  mutate: (...args: OptionalRestArgs<M>) => void;
  /** Calls the mutation and returns its promise (rejects on error). */
  mutateAsync: (...args: OptionalRestArgs<M>) => Promise<FunctionReturnType<M>>;
  /** Back to idle. */
  reset: () => void;
}

interface Tracked<M extends PublicMutationReference> {
  status: MutationState<M>["status"];
  data: FunctionReturnType<M> | undefined;
  error: Error | null;
  variables: FunctionArgs<M> | undefined;
}

/**
 * A mutation with its pending/success/error state for this component. Only the latest call
 * decides the state (an older call finishing late does not overwrite it).
 *
 * @example
 * const { mutate, isPending, error } = useMutationState(api.tasks.add);
 * <button disabled={isPending} onClick={() => mutate({ text })}>Add</button>
 */
export function useMutationState<M extends PublicMutationReference>(
  mutation: M,
  options: { optimisticUpdate?: OptimisticUpdate<FunctionArgs<M>> } = {},
): MutationState<M> {
  const base = useMutation(mutation);
  const run = options.optimisticUpdate ? base.withOptimisticUpdate(options.optimisticUpdate) : base;
  const runRef = useRef(run);
  runRef.current = run;
  const [tracked, setTracked] = useState<Tracked<M>>({ status: "idle", data: undefined, error: null, variables: undefined });
  const latestCall = useRef(0);
  const mutateAsync = useCallback((...args: OptionalRestArgs<M>) => {
    const call = ++latestCall.current;
    const variables = args[0] as FunctionArgs<M> | undefined;
    setTracked((previous) => ({ ...previous, status: "pending", error: null, variables }));
    return runRef.current(...args).then(
      (data) => {
        if (call === latestCall.current) setTracked({ status: "success", data, error: null, variables });
        return data;
      },
      (error: Error) => {
        if (call === latestCall.current) setTracked((previous) => ({ ...previous, status: "error", error, variables }));
        throw error;
      },
    );
  }, []);
  const mutate = useCallback((...args: OptionalRestArgs<M>) => void mutateAsync(...args).catch(() => {}), [mutateAsync]);
  const reset = useCallback(() => {
    latestCall.current++;
    setTracked({ status: "idle", data: undefined, error: null, variables: undefined });
  }, []);
  useDebugValue(tracked.status);
  return {
    ...tracked,
    isIdle: tracked.status === "idle",
    isPending: tracked.status === "pending",
    isSuccess: tracked.status === "success",
    isError: tracked.status === "error",
    mutate,
    mutateAsync,
    reset,
  };
}
