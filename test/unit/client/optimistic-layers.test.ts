import { describe, expect, it } from "vitest";
import { OptimisticLayers } from "../../../src/client/optimistic-layers.js";
import { LOADING, successResult, type QueryResult } from "../../../src/client/query-result.js";
import { encodeArgs, queryToken } from "../../../src/client/query-token.js";
import { makeFunctionReference } from "../../../src/functions/reference.js";
import type { Value } from "../../../src/values/value.js";

const list = makeFunctionReference<"query", { room: string }, string[]>("query", "messages:list");
const tokenOf = (room: string) => queryToken("messages:list", encodeArgs({ room }));

/** Server results the layers sit on, changeable by the test. */
function base(initial: Record<string, string[]>) {
  const results = new Map<string, QueryResult<Value>>(Object.entries(initial).map(([room, value]) => [tokenOf(room), successResult(value)]));
  return {
    results,
    set(room: string, value: string[]) {
      results.set(tokenOf(room), successResult(value));
    },
    source: { serverResult: (token: string) => results.get(token), tokensOf: (udfPath: string) => (udfPath === "messages:list" ? results.keys() : []) },
  };
}

const append = (room: string, item: string) => (store: import("../../../src/client/types.js").OptimisticLocalStore) => {
  const current = store.getQuery(list, { room });
  if (current !== undefined) store.setQuery(list, { room }, [...current, item]);
};

describe("OptimisticLayers", () => {
  it("applies a layer at once and reports the queries it changed", () => {
    const server = base({ a: ["x"] });
    const layers = new OptimisticLayers(server.source, () => {});
    expect(layers.push(1, append("a", "mine"))).toEqual([tokenOf("a")]);
    expect(layers.result(tokenOf("a"))?.value).toEqual(["x", "mine"]);
    expect(layers.result(tokenOf("b"))).toBeUndefined();
  });

  it("stacks layers in call order and replays them over new server results", () => {
    const server = base({ a: ["x"] });
    const layers = new OptimisticLayers(server.source, () => {});
    layers.push(1, append("a", "one"));
    layers.push(2, append("a", "two"));
    expect(layers.result(tokenOf("a"))?.value).toEqual(["x", "one", "two"]);
    server.set("a", ["x", "theirs"]);
    expect(layers.replay()).toEqual([tokenOf("a")]);
    expect(layers.result(tokenOf("a"))?.value).toEqual(["x", "theirs", "one", "two"]);
  });

  it("drops a layer (confirmed or failed) and the replay rolls its change back", () => {
    const server = base({ a: ["x"] });
    const layers = new OptimisticLayers(server.source, () => {});
    layers.push(1, append("a", "one"));
    layers.push(2, append("a", "two"));
    expect(layers.drop(1)).toBe(true);
    expect(layers.drop(1)).toBe(false);
    layers.replay();
    expect(layers.result(tokenOf("a"))?.value).toEqual(["x", "two"]);
    layers.drop(2);
    expect(layers.replay()).toEqual([tokenOf("a")]);
    expect(layers.result(tokenOf("a"))).toBeUndefined();
    expect(layers.size).toBe(0);
  });

  it("keeps a query's optimistic result object when a replay computes an equal value", () => {
    const server = base({ a: ["x"], b: ["y"] });
    const layers = new OptimisticLayers(server.source, () => {});
    layers.push(1, append("a", "mine"));
    const before = layers.result(tokenOf("a"));
    server.set("b", ["y", "z"]); // unrelated change
    expect(layers.replay()).toEqual([]);
    expect(layers.result(tokenOf("a"))).toBe(before);
  });

  it("setQuery(undefined) makes a query loading; getQuery of an unknown query is undefined", () => {
    const server = base({});
    const layers = new OptimisticLayers(server.source, () => {});
    layers.push(1, (store) => {
      expect(store.getQuery(list, { room: "nowhere" })).toBeUndefined();
      store.setQuery(list, { room: "nowhere" }, undefined);
    });
    expect(layers.result(tokenOf("nowhere"))).toBe(LOADING);
  });

  it("skips a layer that throws, without its partial writes, and reports it", () => {
    const server = base({ a: ["x"], b: ["y"] });
    const errors: unknown[] = [];
    const layers = new OptimisticLayers(server.source, (requestId, error) => errors.push([requestId, (error as Error).message]));
    layers.push(1, (store) => {
      append("a", "partial")(store);
      throw new Error("bug");
    });
    layers.push(2, append("b", "fine"));
    expect(layers.result(tokenOf("a"))).toBeUndefined();
    expect(layers.result(tokenOf("b"))?.value).toEqual(["y", "fine"]);
    expect(errors).toEqual([[1, "bug"]]);
  });

  it("warns about an update that returns a promise", () => {
    const errors: string[] = [];
    const layers = new OptimisticLayers(base({}).source, (_id, error) => errors.push((error as Error).message));
    layers.push(1, (async () => {}) as never);
    expect(errors[0]).toMatch(/returned a Promise/);
  });

  it("getAllQueries lists held queries and optimistic-only ones, with decoded args", () => {
    const server = base({ a: ["x"], b: ["y"] });
    const layers = new OptimisticLayers(server.source, () => {});
    layers.push(1, (store) => store.setQuery(list, { room: "c" }, ["new"]));
    let all: unknown;
    layers.push(2, (store) => {
      all = store.getAllQueries(list);
    });
    expect(all).toEqual([
      { args: { room: "c" }, value: ["new"] },
      { args: { room: "a" }, value: ["x"] },
      { args: { room: "b" }, value: ["y"] },
    ]);
  });

  it("refuses internal references inside an update", () => {
    const errors: string[] = [];
    const layers = new OptimisticLayers(base({}).source, (_id, error) => errors.push((error as Error).message));
    const secret = { ...list, visibility: "internal" } as never;
    layers.push(1, (store) => store.getQuery(secret, { room: "a" } as never));
    expect(errors[0]).toMatch(/internal function/);
  });
});
