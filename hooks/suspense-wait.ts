// Holding a query for a suspended component. While it suspends the component is not mounted, so
// nothing of it can hold its query: a wait does. It subscribes at the first render attempt,
// resolves the promise React retries on once there is a result, and holds the query until the
// component has mounted (its own subscription has taken over) or, for a render React abandoned,
// until `holdMs` after the result.

import type { QueryWatch } from "../src/client/query-watch.js";

interface Wait {
  readonly firstResult: Promise<void>;
  readonly hasResult: () => boolean;
  readonly end: () => void;
}

// React needs the same promise across render attempts, and a suspended component keeps no state
// between them: waits are kept by client and query key, shared by every component suspended on
// the same query.
const waits = new WeakMap<object, Map<string, Wait>>();

/**
 * The promise to throw while `watch` loads. The wait decides how long the query is held, so
 * `watch` should not linger itself.
 */
export function waitForFirstResult(client: object, watch: QueryWatch<unknown>, holdMs: number): Promise<void> {
  let byKey = waits.get(client);
  if (byKey === undefined) waits.set(client, (byKey = new Map()));
  const existing = byKey.get(watch.key);
  if (existing !== undefined && !existing.hasResult()) return existing.firstResult;
  // A wait whose result is gone again (rare: the held query lost its result) cannot be waited
  // on: its promise has resolved already.
  existing?.end();
  const wait = startWait(watch, holdMs, () => byKey.delete(watch.key));
  byKey.set(watch.key, wait);
  return wait.firstResult;
}

/** Ends the wait for the query `key`, if there is one: its component is mounted and holds it now. */
export function endWait(client: object, key: string): void {
  waits.get(client)?.get(key)?.end();
}

function startWait(watch: QueryWatch<unknown>, holdMs: number, forget: () => void): Wait {
  let holding: ReturnType<typeof setTimeout> | undefined;
  let resolveFirstResult!: () => void;
  const firstResult = new Promise<void>((resolve) => (resolveFirstResult = resolve));
  const stop = watch.subscribe(() => {
    if (holding !== undefined || watch.getCurrentResult().status === "loading") return;
    holding = setTimeout(end, holdMs);
    // Like the client's own lingering queries: a pending hold does not keep Node running.
    (holding as { unref?: () => void }).unref?.();
    resolveFirstResult();
  });
  function end(): void {
    clearTimeout(holding);
    stop();
    forget();
  }
  return { firstResult, hasResult: () => holding !== undefined, end };
}
