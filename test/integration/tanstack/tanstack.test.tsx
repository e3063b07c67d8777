// @vitest-environment happy-dom
// The TanStack Query adapter with @tanstack/react-query against the real server.

import { QueryClient, QueryClientProvider, useMutation, useQueries, useQuery, useSuspenseQuery, type QueryClientConfig } from "@tanstack/react-query";
import { act, cleanup, render, screen } from "@testing-library/react";
import { Suspense, useState, type ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "syncline";
import { SynclineQueryClient, synclineAction, synclineMutation, synclineQuery } from "syncline/tanstack";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { eventually, newClient, serverPerFile } from "../react/support.js";

const shared = serverPerFile();
let client: SynclineClient;
let queryClient: QueryClient;
let bridge: SynclineQueryClient;

afterEach(async () => {
  cleanup();
  bridge?.disconnect();
  queryClient?.clear();
  await client?.close();
});

/** A Syncline client and a QueryClient (TanStack's defaults unless told otherwise), connected. */
function setup(queries: NonNullable<QueryClientConfig["defaultOptions"]>["queries"] = {}) {
  client = newClient(shared.server);
  queryClient = new QueryClient({ defaultOptions: { queries } });
  bridge = new SynclineQueryClient(client, queryClient);
  bridge.connect();
}
const wrap = (ui: ReactNode) => render(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
const room = () => `tq-${Math.random().toString(36).slice(2)}`;
const bodies = (messages: { body: string }[] | undefined) => messages?.map((m) => m.body).join(",") ?? "loading";

function Messages({ room }: { room: string }) {
  const { data } = useQuery(synclineQuery(api.behaviour.listRoom, { room }));
  return <p data-testid={`tq-${room}`}>{bodies(data)}</p>;
}

describe("SynclineQueryClient", () => {
  it("feeds live results into the TanStack cache, with one server execution per mount", async () => {
    setup();
    const r = room();
    const before = shared.server.runtime.executionCount("behaviour:listRoom");
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    expect(shared.server.runtime.executionCount("behaviour:listRoom") - before).toBe(1);
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "pushed" });
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("pushed"));
    // The update came from the live subscription, not a refetch.
    expect(shared.server.runtime.executionCount("behaviour:listRoom") - before).toBe(2);
  });

  it("shares one subscription for identical keys, and keys read well", async () => {
    setup();
    const r = room();
    wrap(<>{Array.from({ length: 5 }, (_, i) => <Messages key={i} room={r} />)}</>);
    await eventually(() => expect(screen.getAllByTestId(`tq-${r}`).every((p) => p.textContent === "")).toBe(true));
    expect(bridge.liveQueries).toBe(1);
    expect(client.debug().subscriptions.filter((s) => s.name === "behaviour:listRoom")).toHaveLength(1);
    expect(queryClient.getQueryCache().getAll().map((q) => q.queryKey)).toContainEqual(["syncline", "behaviour:listRoom", { room: r }]);
  });

  it("ends the subscription gcTime after the last observer left, not before", async () => {
    setup({ gcTime: 300 });
    const r = room();
    const view = wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    view.unmount();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bridge.liveQueries).toBe(1);
    await eventually(() => expect(bridge.liveQueries).toBe(0), 3000);
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0));
  });

  it("skip means no subscription and no request", async () => {
    setup();
    let status = "";
    function Skipped() {
      const result = useQuery(synclineQuery(api.behaviour.listRoom, "skip"));
      status = `${result.status}/${result.fetchStatus}`;
      return null;
    }
    wrap(<Skipped />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(status).toBe("pending/idle");
    expect(bridge.liveQueries).toBe(0);
    expect(client.debug().subscriptions).toHaveLength(0);
  });

  it("works with useSuspenseQuery, useQueries, prefetchQuery and ensureQueryData", async () => {
    setup();
    const r = room();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "ready" });
    await queryClient.prefetchQuery(synclineQuery(api.behaviour.listRoom, { room: r }));
    const ensured = await queryClient.ensureQueryData(synclineQuery(api.myFunctions.sum, { a: 2, b: 3 }));
    expect(ensured).toBe(5);
    function Suspended() {
      const { data } = useSuspenseQuery(synclineQuery(api.behaviour.listRoom, { room: r }));
      const sums = useQueries({ queries: [synclineQuery(api.myFunctions.sum, { a: 1, b: 1 }), synclineQuery(api.myFunctions.sum, { a: 1, b: 2 })] });
      return <p data-testid="suspended">{`${bodies(data)} ${sums.map((s) => s.data ?? "?").join("+")}`}</p>;
    }
    wrap(<Suspense fallback={<p>waiting</p>}><Suspended /></Suspense>);
    await eventually(() => expect(screen.getByTestId("suspended").textContent).toBe("ready 2+3"));
  });

  it("surfaces query errors as TanStack errors", async () => {
    setup();
    let error = "";
    function Failing() {
      const result = useQuery(synclineQuery(api.behaviour.failPlain));
      error = result.error?.message ?? "";
      return null;
    }
    wrap(<Failing />);
    await eventually(() => expect(error).toMatch(/something secret broke/));
  });

  // A live query's error is the server's deterministic answer, and the subscription delivers the
  // recovery: TanStack's default 3 retries would only show it ~7 s late.
  it("shows a query error at once, without TanStack's default retries", async () => {
    setup();
    let shown = "";
    function Failing() {
      const result = useQuery(synclineQuery(api.behaviour.failPlain));
      shown = `${result.status}/${result.failureCount}`;
      return null;
    }
    wrap(<Failing />);
    await eventually(() => expect(shown).toBe("error/1"), 1000);
  });

  it("still retries a query that asks for retries", async () => {
    setup();
    let shown = "";
    function Failing() {
      const result = useQuery({ ...synclineQuery(api.behaviour.failPlain), retry: 2, retryDelay: 0 });
      shown = `${result.status}/${result.failureCount}`;
      return null;
    }
    wrap(<Failing />);
    await eventually(() => expect(shown).toBe("error/3"));
  });

  it("mutations update the cache without invalidation; optimistic updates show at once", async () => {
    setup();
    const r = room();
    let send!: ReturnType<typeof useMutation<unknown, Error, { room: string; body: string }>>;
    function Sender() {
      const [, force] = useState(0);
      void force;
      send = useMutation(
        synclineMutation(client, api.behaviour.send, {
          optimisticUpdate: (store, args) => {
            const list = store.getQuery(api.behaviour.listRoom, { room: args.room });
            if (list) store.setQuery(api.behaviour.listRoom, { room: args.room }, [...list, { _id: "draft" as never, _creationTime: 0, ...args }]);
          },
        }),
      );
      return <Messages room={r} />;
    }
    wrap(<Sender />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    act(() => send.mutate({ room: r, body: "instant" }));
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("instant"), 500);
    await eventually(() => expect(send.isSuccess).toBe(true));
    expect(screen.getByTestId(`tq-${r}`).textContent).toBe("instant");
  });

  it("actions run through useMutation too", async () => {
    setup();
    let act2!: ReturnType<typeof useMutation<unknown, Error, { ms: number }>>;
    function Runner() {
      act2 = useMutation(synclineAction(client, api.behaviour.slowAction));
      return null;
    }
    wrap(<Runner />);
    act(() => act2.mutate({ ms: 10 }));
    await eventually(() => expect(act2.isSuccess).toBe(true));
  });

  // Keys must be hashed as the QueryClient hashes them: a hash of its own (getQueryCache().build
  // ignored a custom queryKeyHashFn) once added a second, observer-less query, and that phantom's
  // garbage collection ended the subscription of the query still on screen.
  it("stays live with a custom queryKeyHashFn (a phantom query's gc does not end the subscription)", async () => {
    setup({ gcTime: 200, queryKeyHashFn: (key) => `custom:${JSON.stringify(key)}` });
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    await new Promise((resolve) => setTimeout(resolve, 600)); // past gcTime
    expect(bridge.liveQueries).toBe(1); // the component is still mounted
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "still live" });
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("still live"), 2000);
  });

  it("with a custom queryKeyHashFn adds no second query to the cache", async () => {
    setup({ queryKeyHashFn: (key) => `custom:${JSON.stringify(key)}` });
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    expect(queryClient.getQueryCache().findAll({ queryKey: ["syncline", "behaviour:listRoom"] })).toHaveLength(1);
  });

  // What a `useEffect(() => bridge.connect(), [])` does under StrictMode, or a hot reload. A
  // query still observed gets no new cache event, and never stale, it is not fetched again:
  // connect() itself must make it live.
  it("after disconnect() and connect() again, observed queries are live again", async () => {
    setup();
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    bridge.disconnect();
    bridge.connect();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "after reconnect" });
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("after reconnect"), 2000);
  });

  // `enabled: false` is TanStack's "do not fetch this": no subscription, no data pushed.
  it("enabled: false neither subscribes nor fills the cache", async () => {
    setup();
    const r = room();
    let status = "";
    function Disabled() {
      const result = useQuery({ ...synclineQuery(api.behaviour.listRoom, { room: r }), enabled: false });
      status = `${result.status}/${result.fetchStatus}/${result.data === undefined ? "no data" : "data"}`;
      return null;
    }
    const before = shared.server.runtime.executionCount("behaviour:listRoom");
    wrap(<Disabled />);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(status).toBe("pending/idle/no data");
    expect(bridge.liveQueries).toBe(0);
    expect(client.debug().subscriptions).toHaveLength(0);
    expect(shared.server.runtime.executionCount("behaviour:listRoom") - before).toBe(0);
  });

  it("goes live when an observer is enabled, and stops when none is enabled any more", async () => {
    setup();
    const r = room();
    let setEnabled: (enabled: boolean) => void = () => {};
    function Toggled() {
      const [enabled, set] = useState(false);
      setEnabled = set;
      const { data } = useQuery({ ...synclineQuery(api.behaviour.listRoom, { room: r }), enabled });
      return <p data-testid={`tq-${r}`}>{bodies(data)}</p>;
    }
    wrap(<Toggled />);
    expect(bridge.liveQueries).toBe(0);
    act(() => setEnabled(true));
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    expect(bridge.liveQueries).toBe(1);
    act(() => setEnabled(false));
    expect(bridge.liveQueries).toBe(0);
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0));
  });
});
