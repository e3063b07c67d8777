// Paginated queries in the core (protocol.md §14), against a scripted server that pages a list.

import { afterEach, describe, expect, it } from "vitest";
import { makeFunctionReference, watchPaginatedQuery, type PaginationOptions, type PaginationResult } from "syncline";
import type { JSONValue } from "../../../src/values/value.js";
import { harness, until, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

const feed = makeFunctionReference<"query", { room: string; paginationOpts: PaginationOptions }, PaginationResult<string>>("query", "messages:page");

const ITEMS = ["a", "b", "c", "d", "e", "f", "g"];
/** Cursors are positions in ITEMS: "0".."7"; "end" is past the last. */
function page(args: JSONValue): JSONValue {
  const { cursor, numItems, endCursor } = (args as unknown as { paginationOpts: PaginationOptions }).paginationOpts;
  const start = cursor === null ? 0 : Number(cursor);
  const end = endCursor != null ? Number(endCursor) : Math.min(start + numItems, ITEMS.length);
  return { page: ITEMS.slice(start, end), isDone: end >= ITEMS.length, continueCursor: String(end) } as unknown as JSONValue;
}

/** A list whose first page ("a", "b") loaded and whose second page the client just asked for. */
async function secondPageRequested() {
  h = await harness();
  const watch = watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: 2 });
  watch.subscribe(() => {});
  const socket = await h.server.nextConnection();
  await socket.next("ModifyQuerySet");
  socket.transition([{ type: "QueryUpdated", queryId: 0, value: { page: ["a", "b"], isDone: false, continueCursor: "2" }, logLines: [], journal: null }]);
  await until(() => watch.getCurrentResult().status === "CanLoadMore");
  watch.loadMore(2);
  await socket.next("ModifyQuerySet");
  return { watch, socket };
}

describe("paginated queries", () => {
  it("loads the first page, then more pages after the last one's continueCursor, until exhausted", async () => {
    h = await harness({ server: { auto: { query: (_path, args) => page(args) } } });
    const watch = watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: 3 });
    expect(watch.getCurrentResult()).toEqual({ results: [], status: "LoadingFirstPage", error: undefined });
    expect(watch.loadMore(3)).toBe(false);
    const stop = watch.subscribe(() => {});
    await until(() => watch.getCurrentResult().status === "CanLoadMore");
    expect(watch.getCurrentResult().results).toEqual(["a", "b", "c"]);
    const socket = h.server.connections[0]!;
    const firstAdd = socket.messages("ModifyQuerySet")[0]!.modifications[0] as { args: [JSONValue] };
    expect(firstAdd.args[0]).toEqual({ room: "r", paginationOpts: { cursor: null, numItems: 3, id: 0 } });

    expect(watch.loadMore(3)).toBe(true);
    expect(watch.getCurrentResult().status).toBe("LoadingMore");
    await until(() => watch.getCurrentResult().results.length === 6);
    expect(watch.loadMore(3)).toBe(true);
    await until(() => watch.getCurrentResult().status === "Exhausted");
    expect(watch.getCurrentResult().results).toEqual(ITEMS);
    expect(watch.loadMore(3)).toBe(false);
    const snapshot = watch.getCurrentResult();
    expect(watch.getCurrentResult()).toBe(snapshot);

    stop();
    await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications.filter((x) => x.type === "Remove").length === 3);
  });

  it("splits a page the server says is too big into two pages with explicit end cursors", async () => {
    let splitDone = false;
    h = await harness({
      server: {
        auto: {
          query: (_path, args) => {
            const opts = (args as unknown as { paginationOpts: PaginationOptions }).paginationOpts;
            const result = page(args) as { page: string[] };
            if (opts.cursor === null && opts.endCursor === undefined && !splitDone) {
              return { ...result, page: ITEMS.slice(0, 4), continueCursor: "4", splitCursor: "2", pageStatus: "SplitRequired" } as unknown as JSONValue;
            }
            return result as unknown as JSONValue;
          },
        },
      },
    });
    const watch = watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: 3 });
    watch.subscribe(() => {});
    const socket = await h.server.nextConnection();
    const halves = await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications.length === 2);
    splitDone = true;
    expect((halves as unknown as { modifications: { args: [{ paginationOpts: PaginationOptions }] }[] }).modifications.map((m) => m.args[0].paginationOpts)).toEqual([
      { cursor: null, endCursor: "2", numItems: 3, id: 0 },
      { cursor: "2", endCursor: "4", numItems: 3, id: 0 },
    ]);
    // Once both halves loaded, the original page is removed and the results are the same items.
    await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications.some((x) => x.type === "Remove" && x.queryId === 0));
    expect(watch.getCurrentResult()).toMatchObject({ results: ["a", "b", "c", "d"], status: "CanLoadMore" });
  });

  it("restarts from the first page (with a new id) when the server says a cursor is invalid", async () => {
    const { watch, socket } = await secondPageRequested();
    socket.transition([
      { type: "QueryFailed", queryId: 1, errorMessage: "Invalid pagination cursor", errorData: { paginationError: "InvalidCursor" }, logLines: [], journal: null },
    ]);
    const reset = await socket.next("ModifyQuerySet");
    expect(reset.modifications).toEqual([
      { type: "Remove", queryId: 0 },
      { type: "Remove", queryId: 1 },
      { type: "Add", queryId: 2, udfPath: "messages:page", args: [{ room: "r", paginationOpts: { cursor: null, numItems: 2, id: 1 } }] },
    ]);
    expect(watch.getCurrentResult()).toEqual({ results: [], status: "LoadingFirstPage", error: undefined });
  });

  it("reports a failing page as a value, keeping the pages before it", async () => {
    const { watch, socket } = await secondPageRequested();
    socket.transition([{ type: "QueryFailed", queryId: 1, errorMessage: "boom", logLines: [], journal: null }]);
    await until(() => watch.getCurrentResult().error !== undefined);
    expect(watch.getCurrentResult()).toMatchObject({ results: ["a", "b"], status: "LoadingMore" });
    expect(watch.getCurrentResult().error?.message).toBe("[Q(messages:page)] boom");
    expect(watch.loadMore(2)).toBe(false);
  });

  it("refuses paginationOpts in the arguments and a bad initialNumItems", async () => {
    h = await harness();
    expect(() => watchPaginatedQuery(h.client, feed, { room: "r", paginationOpts: { cursor: null, numItems: 1 } } as never, { initialNumItems: 1 })).toThrow(/paginationOpts/);
    expect(() => watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: 0 })).toThrow(/positive integer/);
  });
});

describe("page sizes", () => {
  it("refuses a page size that is not a positive integer, before anything is sent", async () => {
    h = await harness({ server: { auto: { query: (_path, args) => page(args) } } });
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: bad })).toThrow(/initialNumItems must be a positive integer/);
    }
    const watch = watchPaginatedQuery(h.client, feed, { room: "r" }, { initialNumItems: 2 });
    watch.subscribe(() => {});
    await until(() => watch.getCurrentResult().status === "CanLoadMore");
    const socket = h.server.connections[0]!;
    const before = socket.messages("ModifyQuerySet").length;
    expect(() => watch.loadMore(0)).toThrow("loadMore's numItems must be a positive integer, got 0.");
    expect(() => watch.loadMore(2.5)).toThrow(/positive integer/);
    expect(watch.getCurrentResult().status).toBe("CanLoadMore");
    expect(socket.messages("ModifyQuerySet")).toHaveLength(before);
  });
});

