// One QueryWatch per distinct (query, args), kept across renders: a watch is cheap to make, so
// each render makes one and keeps the previous instance while its key is the same. That makes
// `subscribe` stable, so useSyncExternalStore only resubscribes when the arguments really change.

import { useRef } from "react";
import type { SynclineClient } from "../src/client/client.js";
import type { QueryWatch } from "../src/client/query-watch.js";
import type { ArgsAndOptions, PublicQueryReference, WatchOptions } from "../src/client/types.js";
import type { FunctionReturnType } from "../src/functions/reference.js";
import { useSyncline } from "./context.js";

/** The watch for `query` with `args`, or undefined when skipped. */
export function useStableWatch<Q extends PublicQueryReference>(
  query: Q,
  args: Record<string, unknown> | undefined,
  staySubscribedMs: number | undefined,
): QueryWatch<FunctionReturnType<Q>> | undefined {
  const client = useSyncline();
  const kept = useRef<{ client: unknown; watch: QueryWatch<FunctionReturnType<Q>> } | undefined>(undefined);
  if (args === undefined) return undefined;
  const fresh = watchFor(client, query, args, staySubscribedMs);
  const previous = kept.current;
  if (previous !== undefined && previous.client === client && previous.watch.key === fresh.key) return previous.watch;
  kept.current = { client, watch: fresh };
  return fresh;
}

/** A watch for `query` with hook arguments (`staySubscribedMs` undefined: the client's default). */
export function watchFor<Q extends PublicQueryReference>(
  client: SynclineClient,
  query: Q,
  args: Record<string, unknown>,
  staySubscribedMs: number | undefined,
): QueryWatch<FunctionReturnType<Q>> {
  const options = staySubscribedMs === undefined ? undefined : { staySubscribedMs };
  // The hook's arguments were typed by its caller; here they are just forwarded.
  return client.watchQuery(query, ...([args, options] as unknown as ArgsAndOptions<Q, WatchOptions>));
}
