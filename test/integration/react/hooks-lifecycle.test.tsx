// @vitest-environment happy-dom
// The React hooks over a component's life: re-renders, changing and skipped args, errors and
// their recovery, optimistic rollbacks, paginated resets, abandoned suspended renders.

import { act, cleanup, screen } from "@testing-library/react";
import { Component, Suspense, useState, type ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "syncline";
import {
  insertAtBottomIfLoaded,
  updateInPaginatedQuery,
  useMutation,
  usePaginatedQuery,
  useQuery,
  useQueryState,
  useSuspenseQuery,
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

/** Counts `subscribe` calls of every watch the client hands out. */
function countSubscribes(syncline: SynclineClient): { count: number } {
  const counter = { count: 0 };
  const original = syncline.watchQuery.bind(syncline);
  syncline.watchQuery = ((...args: Parameters<typeof original>) => {
    const watch = original(...args);
    const subscribe = watch.subscribe;
    (watch as { subscribe: typeof subscribe }).subscribe = (listener) => {
      counter.count++;
      return subscribe(listener);
    };
    return watch;
  }) as typeof syncline.watchQuery;
  return counter;
}

describe("useQuery identity and subscriptions", () => {
  it("a re-render with equal args in another key order neither resubscribes nor changes the value's identity", async () => {
    fresh();
    const subscribes = countSubscribes(client);
    const values: unknown[] = [];
    let flip: () => void = () => {};
    function Sum() {
      const [reversed, setReversed] = useState(false);
      flip = () => setReversed((r) => !r);
      const value = useQuery(api.myFunctions.sum, reversed ? { b: 2, a: 1 } : { a: 1, b: 2 });
      values.push(value);
      return <p data-testid="sum">{String(value)}</p>;
    }
    renderWith(client, <Sum />, false);
    await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("3"));
    const before = subscribes.count;
    act(() => flip());
    act(() => flip());
    expect(subscribes.count).toBe(before);
    expect(values.at(-1)).toBe(3);
  });

  it("an unchanged list result keeps its identity across unrelated re-renders", async () => {
    fresh();
    const r = newRoom();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "one" });
    const seen: unknown[] = [];
    let bump: () => void = () => {};
    function List() {
      const [, setN] = useState(0);
      bump = () => setN((n) => n + 1);
      const messages = useQuery(api.behaviour.listRoom, { room: r });
      if (messages !== undefined) seen.push(messages);
      return null;
    }
    renderWith(client, <List />, false);
    await eventually(() => expect(seen.length).toBeGreaterThan(0));
    act(() => bump());
    act(() => bump());
    expect(new Set(seen).size).toBe(1);
  });

  it("toggling skip releases and re-takes the subscription; args changes leave one subscription", async () => {
    fresh();
    let set: (state: { skip: boolean; a: number }) => void = () => {};
    function Sum() {
      const [state, setState] = useState({ skip: false, a: 1 });
      set = setState;
      const value = useQuery(api.myFunctions.sum, state.skip ? "skip" : { a: state.a, b: 10 });
      return <p data-testid="sum">{value === undefined ? "none" : String(value)}</p>;
    }
    const sums = () => client.debug().subscriptions.filter((s) => s.name === "myFunctions:sum");
    renderWith(client, <Sum />);
    await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("11"));
    act(() => set({ skip: true, a: 1 }));
    expect(screen.getByTestId("sum").textContent).toBe("none");
    await eventually(() => expect(sums()).toHaveLength(0));
    act(() => set({ skip: false, a: 2 }));
    await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("12"));
    act(() => set({ skip: false, a: 3 }));
    // No stale value of the old args in between: loading, then the new result.
    expect(screen.getByTestId("sum").textContent).toBe("none");
    await eventually(() => expect(screen.getByTestId("sum").textContent).toBe("13"));
    await eventually(() => expect(sums().map((s) => (s.args as { a: number }).a)).toEqual([3]));
  });

  it("useQuery errors reach the boundary again after a reset while the query still fails, and other args recover", async () => {
    fresh();
    class Boundary extends Component<{ children: ReactNode }, { error?: Error }> {
      override state: { error?: Error } = {};
      static getDerivedStateFromError(error: Error) {
        return { error };
      }
      override render() {
        return this.state.error ? (
          <button data-testid="reset" onClick={() => this.setState({ error: undefined })}>
            {this.state.error.message}
          </button>
        ) : (
          this.props.children
        );
      }
    }
    let useGood: (good: boolean) => void = () => {};
    function Maybe() {
      const [good, setGood] = useState(false);
      useGood = setGood;
      return (
        <Boundary>
          <Inner good={good} />
        </Boundary>
      );
    }
    function Inner({ good }: { good: boolean }) {
      const state = good ? useQuery(api.myFunctions.sum, { a: 1, b: 1 }) : useQuery(api.behaviour.failPlain);
      return <p data-testid="ok">{String(state)}</p>;
    }
    renderWith(client, <Maybe />, false);
    await eventually(() => expect(screen.getByTestId("reset").textContent).toMatch(/something secret broke/));
    act(() => screen.getByTestId("reset").click());
    await eventually(() => expect(screen.getByTestId("reset").textContent).toMatch(/something secret broke/));
    act(() => useGood(true));
    act(() => screen.getByTestId("reset").click());
    await eventually(() => expect(screen.getByTestId("ok").textContent).toBe("2"));
  });

  it("useQueryState goes from error back to pending and success when the args change", async () => {
    fresh();
    let setFail: (fail: boolean) => void = () => {};
    const seen: string[] = [];
    function Switch() {
      const [fail, set] = useState(true);
      setFail = set;
      const failing = useQueryState(api.behaviour.failPlain, fail ? {} : "skip");
      const sum = useQueryState(api.myFunctions.sum, fail ? "skip" : { a: 5, b: 5 });
      seen.push(`${failing.status}/${sum.status}`);
      return null;
    }
    renderWith(client, <Switch />);
    await eventually(() => expect(seen.at(-1)).toBe("error/skipped"));
    act(() => setFail(false));
    await eventually(() => expect(seen.at(-1)).toBe("skipped/success"));
  });
});

describe("useMutation", () => {
  it("withOptimisticUpdate returns a new function, refuses a second update, and a failed mutation rolls its update back", async () => {
    fresh();
    const r = newRoom();
    let mutation!: ReturnType<typeof useMutation<typeof api.behaviour.writeThenThrow>>;
    function Page() {
      mutation = useMutation(api.behaviour.writeThenThrow);
      const messages = useQuery(api.behaviour.listRoom, { room: r });
      return <p data-testid="list">{bodies(messages)}</p>;
    }
    renderWith(client, <Page />);
    await eventually(() => expect(screen.getByTestId("list").textContent).toBe(""));
    const optimistic = mutation.withOptimisticUpdate((store, args) => {
      store.setQuery(api.behaviour.listRoom, { room: args.room }, [{ _id: "draft" as never, _creationTime: 0, room: args.room, body: "draft" }]);
    });
    expect(optimistic).not.toBe(mutation);
    expect(() => optimistic.withOptimisticUpdate(() => {})).toThrow(/already has an optimistic update/);
    let sent!: Promise<unknown>;
    act(() => {
      sent = optimistic({ room: r });
    });
    expect(screen.getByTestId("list").textContent).toBe("draft");
    await act(async () => {
      await expect(sent).rejects.toThrow(/changed my mind/);
    });
    expect(screen.getByTestId("list").textContent).toBe("");
  });
});

describe("usePaginatedQuery", () => {
  it("new args start over from the first page; skip shows nothing; unmount leaves no page subscribed", async () => {
    fresh();
    const [a, b] = [newRoom(), newRoom()];
    for (let i = 0; i < 3; i++) await shared.writer.mutation(api.behaviour.send, { room: a, body: `a${i}` });
    await shared.writer.mutation(api.behaviour.send, { room: b, body: "b0" });
    let view!: ReturnType<typeof usePaginatedQuery<typeof api.behaviour.paged>>;
    let setRoom: (room: string | "skip") => void = () => {};
    function Feed() {
      const [current, set] = useState<string>(a);
      setRoom = set;
      view = usePaginatedQuery(api.behaviour.paged, current === "skip" ? "skip" : { room: current }, { initialNumItems: 1 });
      return null;
    }
    const rendered = renderWith(client, <Feed />);
    await eventually(() => expect(view.status).toBe("CanLoadMore"));
    act(() => view.loadMore(1));
    // A second loadMore while the page loads does nothing.
    act(() => view.loadMore(5));
    await eventually(() => expect(view.status).toBe("CanLoadMore"));
    expect(bodies(view.results)).toBe("a0,a1");
    act(() => setRoom(b));
    expect(view.status).toBe("LoadingFirstPage");
    expect(view.results).toEqual([]);
    await eventually(() => expect(bodies(view.results)).toBe("b0"));
    act(() => setRoom("skip"));
    expect(view.status).toBe("LoadingFirstPage");
    expect(view.results).toEqual([]);
    act(() => view.loadMore(5)); // ignored while skipped
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0));
    act(() => setRoom(a));
    await eventually(() => expect(view.status).toBe("CanLoadMore"));
    rendered.unmount();
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0));
  });

  it("insertAtBottomIfLoaded and updateInPaginatedQuery change the loaded pages optimistically", async () => {
    fresh();
    const r = newRoom();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "x" });
    let view!: ReturnType<typeof usePaginatedQuery<typeof api.behaviour.paged>>;
    let append!: (args: { room: string; body: string }) => Promise<unknown>;
    let shout!: (args: { room: string; body: string }) => Promise<unknown>;
    function Feed() {
      view = usePaginatedQuery(api.behaviour.paged, { room: r }, { initialNumItems: 5 });
      const send = useMutation(api.behaviour.send);
      append = send.withOptimisticUpdate((localQueryStore, args) =>
        insertAtBottomIfLoaded({ paginatedQuery: api.behaviour.paged, argsToMatch: { room: args.room }, localQueryStore, item: { _id: "draft", body: args.body } as never }),
      );
      shout = send.withOptimisticUpdate((localQueryStore, args) =>
        updateInPaginatedQuery({
          paginatedQuery: api.behaviour.paged,
          argsToMatch: { room: "another room" },
          localQueryStore,
          updateValue: (item) => ({ ...item, body: "SHOUT" }),
        }),
      );
      return null;
    }
    renderWith(client, <Feed />);
    await eventually(() => expect(view.status).toBe("Exhausted"));
    let sent!: Promise<unknown>;
    act(() => {
      sent = append({ room: r, body: "appended" });
    });
    expect(bodies(view.results)).toBe("x,appended");
    await act(() => sent);
    await eventually(() => expect(bodies(view.results)).toBe("x,appended"));
    // argsToMatch for another room: this list is left alone.
    act(() => {
      sent = shout({ room: r, body: "y" });
    });
    expect(bodies(view.results)).toBe("x,appended");
    await act(() => sent);
  });
});

describe("useSuspenseQuery", () => {
  it("a suspended render abandoned before its result lets go of the query once the result came and the linger ended", async () => {
    fresh();
    function Sum() {
      return <p>{useSuspenseQuery(api.myFunctions.sum, { a: 7, b: 7 }, { staySubscribedMs: 200 })}</p>;
    }
    const view = renderWith(client, <Suspense fallback={<p data-testid="fallback">waiting</p>}><Sum /></Suspense>);
    expect(screen.getByTestId("fallback")).toBeTruthy();
    view.unmount();
    expect(client.debug().subscriptions.filter((s) => s.name === "myFunctions:sum")).toHaveLength(1);
    await eventually(() => expect(client.debug().subscriptions).toHaveLength(0), 3000);
  });
});
