// The paginated query's page bookkeeping, with fake page queries the test controls.

import { describe, expect, it } from "vitest";
import { PaginatedQueryWatch, type PageWatch, type PaginationOptions } from "../../../src/client/paginated-query.js";
import { errorResult, LOADING, successResult, type QueryResult } from "../../../src/client/query-result.js";
import { AppError } from "../../../src/values/app-error.js";
import type { Value } from "../../../src/values/value.js";

class FakePage implements PageWatch {
  result: QueryResult<Value> = LOADING;
  readonly listeners = new Set<() => void>();
  constructor(readonly options: PaginationOptions) {}
  getCurrentResult = () => this.result;
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  get subscribed() {
    return this.listeners.size > 0;
  }
  resolve(page: string[], more: Partial<{ isDone: boolean; continueCursor: string; splitCursor: string; pageStatus: string }> = {}) {
    this.result = successResult({ page, isDone: false, continueCursor: `after-${page.at(-1)}`, ...more } as Value);
    for (const listener of [...this.listeners]) listener();
  }
  fail(error: Error) {
    this.result = errorResult(error);
    for (const listener of [...this.listeners]) listener();
  }
}

function setup(initialNumItems = 2) {
  const pages: FakePage[] = [];
  let id = 0;
  const watch = new PaginatedQueryWatch<string>(
    (options) => {
      const page = new FakePage(options);
      pages.push(page);
      return page;
    },
    initialNumItems,
    () => id++,
  );
  return { watch, pages };
}

describe("PaginatedQueryWatch", () => {
  it("starts with the first page; subscribing subscribes it; results join in order", () => {
    const { watch, pages } = setup();
    expect(pages.map((p) => p.options)).toEqual([{ cursor: null, numItems: 2, id: 0 }]);
    expect(watch.getCurrentResult()).toEqual({ results: [], status: "LoadingFirstPage", error: undefined });
    let calls = 0;
    const stop = watch.subscribe(() => calls++);
    expect(pages[0]!.subscribed).toBe(true);
    pages[0]!.resolve(["a", "b"]);
    expect(watch.getCurrentResult()).toEqual({ results: ["a", "b"], status: "CanLoadMore", error: undefined });
    expect(calls).toBe(1);
    expect(watch.loadMore(3)).toBe(true);
    expect(pages[1]!.options).toEqual({ cursor: "after-b", numItems: 3, id: 0 });
    expect(watch.getCurrentResult().status).toBe("LoadingMore");
    pages[1]!.resolve(["c"], { isDone: true });
    expect(watch.getCurrentResult()).toMatchObject({ results: ["a", "b", "c"], status: "Exhausted" });
    expect(watch.loadMore(1)).toBe(false);
    stop();
    expect(pages.every((p) => !p.subscribed)).toBe(true);
  });

  it("keeps the same snapshot object until a page changes", () => {
    const { watch, pages } = setup();
    watch.subscribe(() => {});
    pages[0]!.resolve(["a"]);
    const snapshot = watch.getCurrentResult();
    expect(watch.getCurrentResult()).toBe(snapshot);
    expect(Object.isFrozen(snapshot.results)).toBe(true);
  });

  it("refuses loadMore before the last page loaded", () => {
    const { watch } = setup();
    watch.subscribe(() => {});
    expect(watch.loadMore(2)).toBe(false);
  });

  it("splits a page the server flags, and swaps the halves in once both loaded", () => {
    const { watch, pages } = setup(2);
    watch.subscribe(() => {});
    pages[0]!.resolve(["a", "b", "c", "d"], { continueCursor: "4", splitCursor: "2", pageStatus: "SplitRecommended" });
    expect(pages.slice(1).map((p) => p.options)).toEqual([
      { cursor: null, endCursor: "2", numItems: 2, id: 0 },
      { cursor: "2", endCursor: "4", numItems: 2, id: 0 },
    ]);
    expect(watch.getCurrentResult().results).toEqual(["a", "b", "c", "d"]);
    pages[1]!.resolve(["a", "b"], { continueCursor: "2" });
    expect(pages[0]!.subscribed).toBe(true);
    pages[2]!.resolve(["c", "d"], { continueCursor: "4" });
    expect(pages[0]!.subscribed).toBe(false);
    expect(watch.getCurrentResult().results).toEqual(["a", "b", "c", "d"]);
    // loadMore continues after the last half.
    watch.loadMore(2);
    expect(pages[3]!.options.cursor).toBe("4");
  });

  it("shows nothing past a page the server cut short (SplitRequired) until its halves replace it", () => {
    const { watch, pages } = setup();
    watch.subscribe(() => {});
    pages[0]!.resolve(["a", "b"], { continueCursor: "2" });
    watch.loadMore(2);
    pages[1]!.resolve(["e", "f"]);
    expect(watch.getCurrentResult().results).toEqual(["a", "b", "e", "f"]);
    // The first page grew; the server read only part of it.
    pages[0]!.resolve(["a", "b2"], { continueCursor: "2", splitCursor: "s", pageStatus: "SplitRequired" });
    expect(watch.getCurrentResult()).toMatchObject({ results: ["a", "b2"], status: "LoadingMore" });
    expect(watch.loadMore(2)).toBe(true); // (the last page is fine)
    const [left, right] = [pages[2]!, pages[3]!];
    expect([left.options, right.options]).toEqual([
      { cursor: null, endCursor: "s", numItems: 2, id: 0 },
      { cursor: "s", endCursor: "2", numItems: 2, id: 0 },
    ]);
    left.resolve(["a", "b2"]);
    right.resolve(["c", "d"]);
    expect(watch.getCurrentResult().results.slice(0, 6)).toEqual(["a", "b2", "c", "d", "e", "f"]);
  });

  it("splits a page that grew past twice the initial size when the server offers a split cursor", () => {
    const { watch, pages } = setup(1);
    watch.subscribe(() => {});
    pages[0]!.resolve(["a", "b", "c"], { splitCursor: "s" });
    expect(pages).toHaveLength(3);
  });

  it("restarts from a new first page when a page's cursor is invalid", () => {
    const { watch, pages } = setup();
    watch.subscribe(() => {});
    pages[0]!.resolve(["a", "b"]);
    watch.loadMore(2);
    pages[1]!.fail(new AppError({ paginationError: "InvalidCursor" }, "bad cursor"));
    expect(pages[0]!.subscribed).toBe(false);
    expect(pages[1]!.subscribed).toBe(false);
    expect(pages[2]!.options).toEqual({ cursor: null, numItems: 2, id: 1 });
    expect(pages[2]!.subscribed).toBe(true);
    expect(watch.getCurrentResult()).toEqual({ results: [], status: "LoadingFirstPage", error: undefined });
  });

  it("reports other page errors as values and keeps the pages before", () => {
    const { watch, pages } = setup();
    watch.subscribe(() => {});
    pages[0]!.resolve(["a", "b"]);
    watch.loadMore(2);
    const boom = new Error("boom");
    pages[1]!.fail(boom);
    expect(watch.getCurrentResult()).toEqual({ results: ["a", "b"], status: "LoadingMore", error: boom });
    expect(pages[1]!.subscribed).toBe(true);
    const first = setup();
    first.watch.subscribe(() => {});
    first.pages[0]!.fail(new AppError({ paginationError: "InvalidCursor" }));
    expect(first.pages).toHaveLength(1); // no loop on the first page
    expect(first.watch.getCurrentResult().error).toBeDefined();
  });
});
