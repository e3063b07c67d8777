// A paginated list as one live object (protocol.md §14): a list of page queries, each subscribed
// on its own, joined into one result. Pages stay gapless because the server pins each page's end
// in its journal (which the client echoes after a reconnect) and because split pages use explicit
// end cursors. A cursor the server no longer accepts restarts the list from its first page; a
// failing page is reported in the result, not thrown.
//
// `watchPaginatedQuery` is a function over the client's public `watchQuery` rather than a client
// method, so an app that never paginates does not ship any of this (methods are bundled with
// their class whether they are called or not).

import { assertClientReference, type FunctionArgs, type FunctionReference, type FunctionReturnType } from "../functions/reference.js";
import { isAppError } from "../values/app-error.js";
import type { Value } from "../values/value.js";
import type { SynclineClient } from "./client.js";
import type { QueryResult } from "./query-result.js";
import type { PaginationOptions, PaginationResult } from "../functions/pagination.js";

export type { PaginationOptions, PaginationResult };


/** A public query that takes `paginationOpts` and returns a page. */
export type PaginatedQueryReference = FunctionReference<"query", "public", { paginationOpts: PaginationOptions }, PaginationResult<unknown>>;

/** The arguments of a paginated query, without `paginationOpts` (the client manages those). */
export type PaginatedQueryArgs<Q extends PaginatedQueryReference> = { [K in keyof FunctionArgs<Q> as K extends "paginationOpts" ? never : K]: FunctionArgs<Q>[K] };

/** The type of one item of a paginated query. */
export type PaginatedQueryItem<Q extends PaginatedQueryReference> = FunctionReturnType<Q>["page"][number];

/**
 * - `LoadingFirstPage`: nothing to show yet;
 * - `CanLoadMore`: every page loaded and there is more;
 * - `LoadingMore`: a later page is loading;
 * - `Exhausted`: every page loaded, and that is all there is.
 */
export type PaginationStatus = "LoadingFirstPage" | "CanLoadMore" | "LoadingMore" | "Exhausted";

/** The joined pages. A new object only when something in it changed. */
export interface PaginatedQueryResult<Item> {
  readonly results: readonly Item[];
  readonly status: PaginationStatus;
  /** A page failed (the pages before it are in `results`). The page stays subscribed and may recover. */
  readonly error: Error | undefined;
}

/** One page's query, as the paginated query needs it (a QueryWatch). */
export interface PageWatch {
  getCurrentResult(): QueryResult<Value>;
  subscribe(listener: () => void): () => void;
}

interface Page {
  readonly options: PaginationOptions;
  readonly watch: PageWatch;
  stop: (() => void) | undefined;
}

/**
 * A live paginated query. Works as an external store, plus `loadMore`.
 *
 * @example
 * const feed = watchPaginatedQuery(client, api.messages.page, { room: "a" }, { initialNumItems: 20 });
 * const stop = feed.subscribe(() => render(feed.getCurrentResult()));
 * feed.loadMore(20);
 */
export class PaginatedQueryWatch<Item> {
  readonly #watchPage: (options: PaginationOptions) => PageWatch;
  readonly #initialNumItems: number;
  readonly #nextId: () => number;
  readonly #listeners = new Set<() => void>();
  #id: number;
  #pages: Page[];
  /** Pages being split, each with the two pages replacing it once both loaded. */
  #splits = new Map<Page, [Page, Page]>();
  #snapshot: PaginatedQueryResult<Item> | undefined;
  /** The page results the snapshot was built from. */
  #builtFrom: QueryResult<Value>[] = [];

  /** @internal Use `watchPaginatedQuery(client, ...)`. */
  constructor(watchPage: (options: PaginationOptions) => PageWatch, initialNumItems: number, nextId: () => number) {
    checkNumItems("initialNumItems", initialNumItems);
    this.#watchPage = watchPage;
    this.#initialNumItems = initialNumItems;
    this.#nextId = nextId;
    this.#id = nextId();
    this.#pages = [this.#page({ cursor: null, numItems: initialNumItems })];
  }

  /** The joined pages: the same object until something changed. */
  getCurrentResult = (): PaginatedQueryResult<Item> => {
    if (this.#listeners.size === 0) this.#rebuild();
    return this.#snapshot!;
  };

  /** Subscribes every page; `listener` is called whenever the joined result changes. */
  subscribe = (listener: () => void): (() => void) => {
    const first = this.#listeners.size === 0;
    const wrapped = () => listener();
    this.#listeners.add(wrapped);
    if (first) {
      for (const page of this.#allPages()) this.#start(page);
      this.#update();
    }
    return () => {
      if (!this.#listeners.delete(wrapped) || this.#listeners.size > 0) return;
      for (const page of this.#allPages()) this.#stop(page);
    };
  };

  /**
   * Adds a page of `numItems` after the last one. Returns false (and does nothing) until the last
   * page has loaded, when the list is exhausted, or while a page is failing. A `numItems` that is
   * not a positive integer is a TypeError.
   */
  loadMore = (numItems: number): boolean => {
    checkNumItems("loadMore's numItems", numItems);
    const last = this.#pages[this.#pages.length - 1]!.watch.getCurrentResult();
    if (last.status !== "success") return false;
    const result = last.value as unknown as PaginationResult<Value>;
    if (result.isDone || this.getCurrentResult().error !== undefined) return false;
    const page = this.#page({ cursor: result.continueCursor, numItems });
    this.#pages.push(page);
    if (this.#listeners.size > 0) this.#start(page);
    this.#update();
    return true;
  };

  #page(options: Omit<PaginationOptions, "id">): Page {
    const withId: PaginationOptions = { ...options, id: this.#id };
    return { options: withId, watch: this.#watchPage(withId), stop: undefined };
  }

  #start(page: Page): void {
    page.stop ??= page.watch.subscribe(() => this.#update());
  }

  #stop(page: Page): void {
    page.stop?.();
    page.stop = undefined;
  }

  *#allPages(): Iterable<Page> {
    yield* this.#pages;
    for (const [first, second] of this.#splits.values()) yield* [first, second];
  }

  /** Something changed in a page: reset, split or join as needed, then publish. */
  #update(): void {
    if (this.#hasInvalidCursor()) this.#resetToFirstPage();
    this.#finishSplits();
    this.#startSplits();
    if (this.#rebuild()) for (const listener of [...this.#listeners]) listener();
  }

  #hasInvalidCursor(): boolean {
    for (const page of this.#allPages()) {
      // The first page has no cursor to be invalid; restarting it would loop.
      if (page.options.cursor === null && page.options.endCursor === undefined) continue;
      const result = page.watch.getCurrentResult();
      if (result.status === "error" && isInvalidCursor(result.error)) return true;
    }
    return false;
  }

  #resetToFirstPage(): void {
    for (const page of this.#allPages()) this.#stop(page);
    this.#splits = new Map();
    this.#id = this.#nextId();
    const first = this.#page({ cursor: null, numItems: this.#initialNumItems });
    this.#pages = [first];
    if (this.#listeners.size > 0) this.#start(first);
  }

  #finishSplits(): void {
    for (const [page, halves] of this.#splits) {
      if (halves.some((half) => half.watch.getCurrentResult().status !== "success")) continue;
      this.#splits.delete(page);
      const index = this.#pages.indexOf(page);
      if (index !== -1) this.#pages.splice(index, 1, ...halves);
      this.#stop(page);
    }
  }

  #startSplits(): void {
    for (const page of this.#pages) {
      if (this.#splits.has(page)) continue;
      const result = page.watch.getCurrentResult();
      if (result.status !== "success") continue;
      const { splitCursor, pageStatus, continueCursor, page: items } = result.value as unknown as PaginationResult<Value>;
      const tooBig = pageStatus === "SplitRecommended" || pageStatus === "SplitRequired" || items.length > 2 * this.#initialNumItems;
      if (!splitCursor || !tooBig) continue;
      const numItems = this.#initialNumItems;
      const halves: [Page, Page] = [
        this.#page({ cursor: page.options.cursor, endCursor: splitCursor, numItems }),
        this.#page({ cursor: splitCursor, endCursor: continueCursor, numItems }),
      ];
      this.#splits.set(page, halves);
      if (this.#listeners.size > 0) for (const half of halves) this.#start(half);
    }
  }

  /** Builds the joined result if a page result changed; returns whether it did. */
  #rebuild(): boolean {
    const results = this.#pages.map((page) => page.watch.getCurrentResult());
    if (this.#snapshot !== undefined && results.length === this.#builtFrom.length && results.every((r, i) => r === this.#builtFrom[i])) {
      return false;
    }
    this.#builtFrom = results;
    const items: Item[] = [];
    let status: PaginationStatus = "CanLoadMore";
    let error: Error | undefined;
    for (const result of results) {
      if (result.status !== "success") {
        status = items.length === 0 ? "LoadingFirstPage" : "LoadingMore";
        if (result.status === "error") error = result.error;
        break;
      }
      const page = result.value as unknown as PaginationResult<Item>;
      for (const item of page.page) items.push(item);
      if (page.pageStatus === "SplitRequired") {
        // The server stopped reading this page part way: the rows after its items are missing
        // until the split halves arrive, so nothing after it may be joined on.
        status = "LoadingMore";
        break;
      }
      status = page.isDone ? "Exhausted" : "CanLoadMore";
    }
    this.#snapshot = Object.freeze({ results: Object.freeze(items), status, error });
    return true;
  }
}

/** A paginated query as the client's `watchQuery` sees it: one page per call. */
type PageQuery = FunctionReference<"query", "public", Record<string, Value>, Value>;

/** Paginated lists made so far, per client: a list's pages carry its number as `paginationOpts.id`. */
const listsMade = new WeakMap<SynclineClient, number>();

/**
 * A live paginated query of `client` (its function takes `paginationOpts` and returns a page).
 * Each page is one of the client's ordinary watches, let go of as soon as it is not listened to.
 *
 * @example
 * const feed = watchPaginatedQuery(client, api.messages.page, { room: "a" }, { initialNumItems: 20 });
 * const stop = feed.subscribe(() => render(feed.getCurrentResult().results));
 * feed.loadMore(20);
 */
export function watchPaginatedQuery<Q extends PaginatedQueryReference>(
  client: SynclineClient,
  query: Q,
  args: PaginatedQueryArgs<Q>,
  options: { initialNumItems: number },
): PaginatedQueryWatch<PaginatedQueryItem<Q>> {
  assertClientReference(query, "query");
  const base = args as Record<string, Value>;
  if ("paginationOpts" in base) throw new TypeError("Leave paginationOpts out of the arguments: the paginated query manages it.");
  return new PaginatedQueryWatch<PaginatedQueryItem<Q>>(
    (paginationOpts) => client.watchQuery(query as unknown as PageQuery, { ...base, paginationOpts: paginationOpts as unknown as Value }, { staySubscribedMs: 0 }),
    options.initialNumItems,
    () => {
      const id = listsMade.get(client) ?? 0;
      listsMade.set(client, id + 1);
      return id;
    },
  );
}

/** The server's "restart from the first page" error (§14). */
function isInvalidCursor(error: Error): boolean {
  if (!isAppError(error)) return false;
  const data = error.data;
  return typeof data === "object" && data !== null && !Array.isArray(data) && !(data instanceof ArrayBuffer) && data.paginationError === "InvalidCursor";
}

function checkNumItems(what: string, numItems: number): void {
  if (!Number.isInteger(numItems) || numItems <= 0) throw new TypeError(`${what} must be a positive integer, got ${String(numItems)}.`);
}
