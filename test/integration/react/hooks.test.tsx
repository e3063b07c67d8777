// @vitest-environment happy-dom
// The React hooks against the real server, through @testing-library/react.

import { act, cleanup, screen } from "@testing-library/react";
import { Component, Suspense, useEffect, useState, type ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "syncline";
import {
  useAction,
  useConnectionState,
  useMutation,
  useMutationState,
  usePaginatedQuery,
  usePreloadedQuery,
  preloadQuery,
  useQueries,
  useQuery,
  useQueryState,
  useSuspenseQuery,
  insertAtTop,
} from "syncline/react";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { bodies, eventually, newClient, newRoom, renderWith, serverPerFile } from "./support.js";

const shared = serverPerFile();
let client: SynclineClient;
afterEach(async () => {
  cleanup();
  await client?.close();
});
const fresh = () => (client = newClient(shared.server));

function Messages({ room, onRender }: { room: string; onRender?: (value: string) => void }) {
  const messages = useQuery(api.behaviour.listRoom, { room });
  const text = bodies(messages);
  onRender?.(text);
  return <p data-testid={`list-${room}`}>{text}</p>;
}

describe("useQuery", () => {
  it("shows the result and stays live", async () => {
    fresh();
    const r = newRoom();
    renderWith(client, <Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`list-${r}`).textContent).toBe(""));
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "hello" });
    await eventually(() => expect(screen.getByTestId(`list-${r}`).textContent).toBe("hello"));
  });

  it("StrictMode double mounts leak no subscription", async () => {
    fresh();
    const r = newRoom();
    const view = renderWith(client, <Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`list-${r}`).textContent).toBe(""));
    expect(client.debug().subscriptions.filter((s) => s.name === "behaviour:listRoom")).toHaveLength(1);
    view.unmount();
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0));
    await eventually(() => expect(shared.server.sync.manager.size).toBe(0));
  });

  it("re-renders a component only when its own result changed", async () => {
    fresh();
    const [a, b] = [newRoom(), newRoom()];
    const renders = { a: [] as string[], b: [] as string[] };
    renderWith(
      client,
      <>
        <Messages room={a} onRender={(v) => renders.a.push(v)} />
        <Messages room={b} onRender={(v) => renders.b.push(v)} />
      </>,
      false,
    );
    await eventually(() => expect(renders.b.at(-1)).toBe(""));
    const before = renders.b.length;
    await shared.writer.mutation(api.behaviour.send, { room: a, body: "only a" });
    await eventually(() => expect(renders.a.at(-1)).toBe("only a"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(renders.b.length).toBe(before);
  });

  it("identical queries in many components share one subscription", async () => {
    fresh();
    const r = newRoom();
    const executions = shared.server.runtime.executionCount("behaviour:listRoom");
    renderWith(client, Array.from({ length: 25 }, (_, i) => <Messages key={i} room={r} />), false);
    await eventually(() => expect(screen.getAllByTestId(`list-${r}`).every((p) => p.textContent === "")).toBe(true));
    const subscription = client.debug().subscriptions.filter((s) => s.name === "behaviour:listRoom");
    expect(subscription).toHaveLength(1);
    expect(shared.server.runtime.executionCount("behaviour:listRoom") - executions).toBe(1);
  });

  it("swaps subscriptions on new args without an undefined flash when keepPreviousData is set", async () => {
    fresh();
    const [a, b] = [newRoom(), newRoom()];
    await shared.writer.mutation(api.behaviour.send, { room: a, body: "in a" });
    await shared.writer.mutation(api.behaviour.send, { room: b, body: "in b" });
    const seen: string[] = [];
    let setRoom: (room: string) => void = () => {};
    function Switcher() {
      const [current, set] = useState(a);
      setRoom = set;
      const state = useQueryState(api.behaviour.listRoom, { room: current }, { keepPreviousData: true });
      seen.push(`${bodies(state.data)}${state.isPlaceholder ? " (placeholder)" : ""}`);
      return null;
    }
    renderWith(client, <Switcher />);
    await eventually(() => expect(seen.at(-1)).toBe("in a"));
    act(() => setRoom(b));
    await eventually(() => expect(seen.at(-1)).toBe("in b"));
    const afterFirst = seen.slice(seen.indexOf("in a"));
    expect(afterFirst).not.toContain("loading");
    expect(afterFirst).toContain("in a (placeholder)");
    await eventually(() => expect(client.debug().subscriptions.map((s) => (s.args as { room: string }).room)).toEqual([b]));
  });
});

describe("useQueryState and errors", () => {
  it("skip is its own status, never stuck pending", async () => {
    fresh();
    function Skipped() {
      const state = useQueryState(api.behaviour.listRoom, "skip");
      return <p data-testid="skipped">{state.status}</p>;
    }
    renderWith(client, <Skipped />);
    expect(screen.getByTestId("skipped").textContent).toBe("skipped");
    expect(client.debug().subscriptions).toHaveLength(0);
  });

  it("useQuery throws query errors to the nearest error boundary; useQueryState reports them", async () => {
    fresh();
    class Boundary extends Component<{ children: ReactNode }, { error?: Error }> {
      override state: { error?: Error } = {};
      static getDerivedStateFromError(error: Error) {
        return { error };
      }
      override render() {
        return this.state.error ? <p data-testid="boundary">{this.state.error.message}</p> : this.props.children;
      }
    }
    function Failing() {
      useQuery(api.behaviour.failPlain);
      return null;
    }
    function Reported() {
      const state = useQueryState(api.behaviour.failPlain);
      return <p data-testid="state">{state.status === "error" ? `error: ${state.error.message}` : state.status}</p>;
    }
    renderWith(client, <><Boundary><Failing /></Boundary><Reported /></>, false);
    await eventually(() => expect(screen.getByTestId("boundary").textContent).toMatch(/something secret broke/));
    await eventually(() => expect(screen.getByTestId("state").textContent).toMatch(/^error: .*something secret broke/));
  });
});

describe("useSuspenseQuery", () => {
  it("suspends until the first result, then stays live", async () => {
    fresh();
    const r = newRoom();
    function Live() {
      const messages = useSuspenseQuery(api.behaviour.listRoom, { room: r });
      return <p data-testid="suspense">{bodies(messages)}</p>;
    }
    renderWith(client, <Suspense fallback={<p data-testid="fallback">waiting</p>}><Live /></Suspense>);
    expect(screen.getByTestId("fallback")).toBeTruthy();
    await eventually(() => expect(screen.getByTestId("suspense").textContent).toBe(""));
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "after suspense" });
    await eventually(() => expect(screen.getByTestId("suspense").textContent).toBe("after suspense"));
  });

  // The render attempt's own wait holds the query until React retries the render: with the user's
  // staySubscribedMs (0) it was released before the retry, which suspended again, forever.
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

describe("mutations and actions", () => {
  it("useMutation is stable, ordered, and its optimistic update shows before the server answers", async () => {
    fresh();
    const r = newRoom();
    const identities = new Set<unknown>();
    let send: ((args: { room: string; body: string }) => Promise<unknown>) | undefined;
    function Sender() {
      const mutation = useMutation(api.behaviour.send);
      // Committed renders only: React 18's StrictMode also renders once more and throws that away.
      useEffect(() => void identities.add(mutation));
      send = mutation.withOptimisticUpdate((store, args) => {
        const list = store.getQuery(api.behaviour.listRoom, { room: args.room });
        if (list) store.setQuery(api.behaviour.listRoom, { room: args.room }, [...list, { _id: "draft" as never, _creationTime: 0, ...args }]);
      });
      return <Messages room={r} />;
    }
    renderWith(client, <Sender />);
    await eventually(() => expect(screen.getByTestId(`list-${r}`).textContent).toBe(""));
    let sent!: Promise<unknown>;
    act(() => {
      sent = send!({ room: r, body: "optimistic" });
    });
    expect(screen.getByTestId(`list-${r}`).textContent).toBe("optimistic");
    await act(() => sent);
    expect(screen.getByTestId(`list-${r}`).textContent).toBe("optimistic");
    expect(identities.size).toBe(1);
  });

  it("useMutationState shows pending, success and error of this component's calls", async () => {
    fresh();
    let state!: ReturnType<typeof useMutationState<typeof api.behaviour.failWithData>>;
    function Failer() {
      state = useMutationState(api.behaviour.failWithData);
      return null;
    }
    renderWith(client, <Failer />);
    expect(state.status).toBe("idle");
    act(() => state.mutate({ code: "NO" }));
    expect(state.isPending).toBe(true);
    await eventually(() => expect(state.isError).toBe(true));
    expect(state.error?.message).toMatch(/NO/);
    act(() => state.reset());
    expect(state.status).toBe("idle");
  });

  it("useAction runs actions in parallel", async () => {
    fresh();
    let run!: (args: { ms: number }) => Promise<{ started: number; ended: number }>;
    function Runner() {
      run = useAction(api.behaviour.slowAction) as never;
      return null;
    }
    renderWith(client, <Runner />);
    const [a, b] = await Promise.all([run({ ms: 200 }), run({ ms: 200 })]);
    expect(Math.max(a.started, b.started)).toBeLessThan(Math.min(a.ended, b.ended));
  });
});

describe("usePaginatedQuery", () => {
  it("loads pages, reports status, and inserts optimistically at the top", async () => {
    fresh();
    const r = newRoom();
    for (let i = 0; i < 5; i++) await shared.writer.mutation(api.behaviour.send, { room: r, body: `m${i}` });
    let view!: ReturnType<typeof usePaginatedQuery<typeof api.behaviour.paged>>;
    let send!: (args: { room: string; body: string }) => Promise<unknown>;
    function Feed() {
      view = usePaginatedQuery(api.behaviour.paged, { room: r }, { initialNumItems: 2 });
      send = useMutation(api.behaviour.send).withOptimisticUpdate((localStore, args) =>
        insertAtTop({ paginatedQuery: api.behaviour.paged, argsToMatch: { room: args.room }, localQueryStore: localStore, item: { _id: "draft", body: args.body } as never }),
      );
      return null;
    }
    renderWith(client, <Feed />);
    expect(view.status).toBe("LoadingFirstPage");
    await eventually(() => expect(view.status).toBe("CanLoadMore"));
    expect(view.results.map((m) => (m as { body: string }).body)).toEqual(["m0", "m1"]);
    act(() => view.loadMore(10));
    await eventually(() => expect(view.status).toBe("Exhausted"));
    expect(view.results).toHaveLength(5);
    let sent!: Promise<unknown>;
    act(() => {
      sent = send({ room: r, body: "draft" });
    });
    expect((view.results[0] as { body: string }).body).toBe("draft");
    await act(() => sent);
  });

  it("loadMore is the same function across re-renders", async () => {
    fresh();
    const r = newRoom();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "m0" });
    let view!: ReturnType<typeof usePaginatedQuery<typeof api.behaviour.paged>>;
    let rerender: () => void = () => {};
    function Feed() {
      const [, setRenders] = useState(0);
      rerender = () => setRenders((n) => n + 1);
      view = usePaginatedQuery(api.behaviour.paged, { room: r }, { initialNumItems: 2 });
      return null;
    }
    renderWith(client, <Feed />);
    await eventually(() => expect(view.status).toBe("Exhausted"));
    const loadMore = view.loadMore;
    act(() => rerender());
    act(() => rerender());
    expect(view.loadMore).toBe(loadMore);
  });
});

describe("connection state, many queries, preloading", () => {
  it("useConnectionState reports the connection", async () => {
    fresh();
    let connected = false;
    function Badge() {
      connected = useConnectionState().isConnected;
      useQuery(api.myFunctions.sum, { a: 1, b: 1 });
      return null;
    }
    renderWith(client, <Badge />);
    await eventually(() => expect(connected).toBe(true));
  });

  it("useConnectionState subscribes once, however often its component re-renders", () => {
    fresh();
    let subscribes = 0;
    const subscribe = client.onConnectionStateChange.bind(client);
    client.onConnectionStateChange = (callback) => {
      subscribes++;
      return subscribe(callback);
    };
    let rerender: () => void = () => {};
    function Badge() {
      const [, setRenders] = useState(0);
      rerender = () => setRenders((n) => n + 1);
      useConnectionState();
      return null;
    }
    renderWith(client, <Badge />, false); // StrictMode would subscribe twice on mount
    act(() => rerender());
    act(() => rerender());
    expect(subscribes).toBe(1);
  });

  it("useQueries follows a dynamic set", async () => {
    fresh();
    let results: Record<string, unknown> = {};
    let setCount: (n: number) => void = () => {};
    function Grid() {
      const [count, set] = useState(2);
      setCount = set;
      results = useQueries(Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${i}`, { query: api.myFunctions.sum, args: { a: i, b: 100 } }])));
      return null;
    }
    renderWith(client, <Grid />);
    await eventually(() => expect(results).toEqual({ s0: 100, s1: 101 }));
    act(() => setCount(3));
    await eventually(() => expect(results).toEqual({ s0: 100, s1: 101, s2: 102 }));
  });

  // The same snapshot objects can come back under other keys: useQueries must not hand back its
  // previous output then.
  /** Renders useQueries with one key, named "first" until `rename` is called. */
  function renamingGrid(args: { a: number; b: number }) {
    const view = { results: {} as Record<string, unknown>, rename: (_name: string) => {} };
    function Grid() {
      const [name, setName] = useState("first");
      view.rename = setName;
      view.results = useQueries({ [name]: { query: api.myFunctions.sum, args } });
      return null;
    }
    renderWith(client, <Grid />);
    return view;
  }

  it("useQueries returns a value under its new key when the key is renamed", async () => {
    fresh();
    const view = renamingGrid({ a: 1, b: 2 });
    await eventually(() => expect(view.results).toEqual({ first: 3 }));
    act(() => view.rename("second"));
    expect(view.results).toEqual({ second: 3 });
  });

  it("useQueries reports a key renamed while its query loads under the new name", () => {
    fresh();
    // Every loading query shares the one LOADING snapshot.
    const view = renamingGrid({ a: 40, b: 2 });
    expect(Object.keys(view.results)).toEqual(["first"]);
    act(() => view.rename("second"));
    expect(Object.keys(view.results)).toEqual(["second"]);
  });

  it("usePreloadedQuery shows the preloaded value at once and then goes live", async () => {
    fresh();
    const r = newRoom();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "preloaded" });
    const preloaded = await preloadQuery(api.behaviour.listRoom, { room: r }, { url: shared.server.url });
    const seen: string[] = [];
    function Page() {
      const messages = usePreloadedQuery(preloaded);
      seen.push(bodies(messages));
      return null;
    }
    renderWith(client, <Page />);
    expect(seen[0]).toBe("preloaded");
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "live" });
    await eventually(() => expect(seen.at(-1)).toBe("preloaded,live"));
    expect(seen).not.toContain("loading");
  });
});
