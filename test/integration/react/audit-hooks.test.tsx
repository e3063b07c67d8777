// @vitest-environment happy-dom
// Audit of the React hooks: each test here fails because of a bug in hooks/ (see the comments).

import { act, cleanup, screen } from "@testing-library/react";
import { Suspense, useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "syncline";
import { useQueries, useSuspenseQuery } from "syncline/react";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { eventually, newClient, renderWith, serverPerFile } from "./support.js";

const shared = serverPerFile();
let client: SynclineClient;
afterEach(async () => {
  cleanup();
  await client?.close();
});
const fresh = () => (client = newClient(shared.server));

describe("useQueries", () => {
  // hooks/use-queries.ts caches its output by the identity of the watches' snapshots only, not by
  // the keys: a key renamed while its query (and so its snapshot object) stays the same gets the
  // previous output back, keyed by the old name.
  it("a key renamed with the same query returns the value under the new key", async () => {
    fresh();
    let results: Record<string, unknown> = {};
    let rename: (name: string) => void = () => {};
    function Grid() {
      const [name, setName] = useState("first");
      rename = setName;
      results = useQueries({ [name]: { query: api.myFunctions.sum, args: { a: 1, b: 2 } } });
      return null;
    }
    renderWith(client, <Grid />);
    await eventually(() => expect(results).toEqual({ first: 3 }));
    act(() => rename("second"));
    expect(results).toEqual({ second: 3 });
  });

  it("a key renamed while its query is loading is not reported under the old name", async () => {
    fresh();
    let results: Record<string, unknown> = {};
    let rename: (name: string) => void = () => {};
    function Grid() {
      const [name, setName] = useState("first");
      rename = setName;
      results = useQueries({ [name]: { query: api.myFunctions.sum, args: { a: 40, b: 2 } } });
      return null;
    }
    // Every loading query shares the one LOADING snapshot, so the cached output of the first key
    // comes back for the second.
    renderWith(client, <Grid />);
    expect(Object.keys(results)).toEqual(["first"]);
    act(() => rename("second"));
    expect(Object.keys(results)).toEqual(["second"]);
  });
});

describe("useSuspenseQuery", () => {
  // hooks/use-query.ts: the promise thrown by firstResult resolves when its own subscription sees
  // the first result, and it unsubscribes right then. With staySubscribedMs: 0 the query is
  // released at once (the client forgets it in the next microtask, before React retries the
  // render), so the retry finds LOADING again, suspends again, subscribes again... forever.
  it("with staySubscribedMs: 0 shows the result instead of suspending forever", async () => {
    fresh();
    let attempts = 0;
    function Live() {
      attempts++;
      const sum = useSuspenseQuery(api.myFunctions.sum, { a: 2, b: 2 }, { staySubscribedMs: 0 });
      return <p data-testid="sum">{sum}</p>;
    }
    renderWith(client, <Suspense fallback={<p data-testid="fallback">waiting</p>}><Live /></Suspense>, false);
    try {
      await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("4"), 3000);
    } catch (error) {
      throw new Error(`still suspended after ${attempts} render attempts: ${(error as Error).message}`);
    }
  });

  // The wait for the first result holds the query (10 s by default) only until the component
  // mounts; after that its own staySubscribedMs applies (here the client's default, 0).
  it("once mounted, an unmount lets go of the query as useQuery would, not after the suspense linger", async () => {
    fresh();
    function Sum() {
      return <p data-testid="sum">{useSuspenseQuery(api.myFunctions.sum, { a: 3, b: 4 })}</p>;
    }
    const view = renderWith(client, <Suspense fallback={<p data-testid="fallback">waiting</p>}><Sum /></Suspense>);
    await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("7"));
    view.unmount();
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0), 1000);
  });
});
