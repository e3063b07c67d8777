// @vitest-environment happy-dom
// The TanStack Query adapter with @tanstack/react-query against the real server.

import { QueryClient, QueryClientProvider, useMutation, useQueries, useQuery, useSuspenseQuery } from "@tanstack/react-query";
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

function setup(gcTime = 5 * 60_000) {
  client = newClient(shared.server);
  queryClient = new QueryClient({ defaultOptions: { queries: { gcTime, retry: false } } });
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
    setup(300);
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
});
