import { describe, expect, it } from "vitest";
import { QueryObservers, type ObservableQuery, type QueryObserver } from "../../../src/client/query-observers.js";
import { LOADING, successResult, type QueryResult } from "../../../src/client/query-result.js";
import type { Value } from "../../../src/values/value.js";

/** Query records and optimistic results the test controls. */
function setup() {
  const optimistic = new Map<string, QueryResult<Value>>();
  const observers = new QueryObservers((token) => optimistic.get(token));
  const query = (token: string): ObservableQuery & { serverResult: QueryResult<Value> | undefined } => ({
    token,
    serverResult: undefined,
    observers: undefined,
    shown: undefined,
    shownSource: undefined,
    shownOptimistic: false,
  });
  const refresh = (queries: ObservableQuery[]): number => {
    const toCall: QueryObserver[] = [];
    observers.refresh(queries, toCall);
    toCall.forEach((observer) => observer.onQueryChange());
    return toCall.length;
  };
  return { optimistic, observers, query, refresh };
}

describe("QueryObservers", () => {
  it("tells a query's observers only when its snapshot changed", () => {
    const { observers, query, refresh } = setup();
    const a = query("a");
    let calls = 0;
    const listener = { onQueryChange: () => calls++ };
    observers.observe(a, listener);
    expect(observers.size).toBe(1);
    expect(observers.current(a)).toBe(LOADING);
    a.serverResult = successResult(1);
    expect(refresh([a, query("unobserved")])).toBe(1);
    expect(refresh([a])).toBe(0);
    expect(calls).toBe(1);
    observers.unobserve(a, listener);
    observers.unobserve(a, listener);
    expect(a.observers).toBeUndefined();
    expect(observers.size).toBe(0);
  });

  it("shows the optimistic result over the server's", () => {
    const { optimistic, observers, query, refresh } = setup();
    const a = query("a");
    a.serverResult = successResult("server");
    observers.observe(a, { onQueryChange: () => {} });
    optimistic.set("a", successResult("predicted"));
    expect(observers.display(a).value).toBe("predicted");
    refresh([a]);
    expect(observers.current(a).value).toBe("predicted");
  });

  it("keeps the snapshot when an optimistic value is replaced by an equal server value", () => {
    const { optimistic, observers, query, refresh } = setup();
    const a = query("a");
    a.serverResult = successResult(["old"]);
    observers.observe(a, { onQueryChange: () => {} });
    optimistic.set("a", successResult(["old", "new"]));
    expect(refresh([a])).toBe(1);
    const shown = observers.current(a);
    optimistic.delete("a");
    a.serverResult = successResult(["old", "new"]);
    expect(refresh([a])).toBe(0);
    expect(observers.current(a)).toBe(shown);
    a.serverResult = successResult(["changed"]);
    expect(refresh([a])).toBe(1);
    expect(observers.current(a).value).toEqual(["changed"]);
  });

  it("tells each of several observers, and keeps the others when one leaves", () => {
    const { observers, query, refresh } = setup();
    const a = query("a");
    const calls: string[] = [];
    const one = { onQueryChange: () => calls.push("one") };
    const two = { onQueryChange: () => calls.push("two") };
    observers.observe(a, one);
    observers.observe(a, two);
    observers.observe(a, two);
    a.serverResult = successResult(1);
    refresh([a]);
    expect(calls).toEqual(["one", "two"]);
    observers.unobserve(a, one);
    a.serverResult = successResult(2);
    refresh([a]);
    expect(calls).toEqual(["one", "two", "two"]);
  });

  it("shows the current result of a query nobody observes", () => {
    const { observers, query } = setup();
    const x = query("x");
    x.serverResult = successResult(5);
    expect(observers.current(x).value).toBe(5);
    expect(observers.size).toBe(0);
  });
});
