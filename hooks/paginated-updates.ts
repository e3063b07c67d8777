// Optimistic updates for paginated lists: put a new item on the first page (newest-first lists)
// or on the last page once it is loaded (oldest-first lists), or change items in place.

import type { PaginatedQueryArgs, PaginatedQueryItem, PaginatedQueryReference, PaginationOptions, PaginationResult } from "../src/client/paginated-query.js";
import type { OptimisticLocalStore } from "../src/client/types.js";
import { compareValues } from "../src/values/compare.js";
import type { Value } from "../src/values/value.js";

interface PaginatedUpdate<Q extends PaginatedQueryReference> {
  paginatedQuery: Q;
  /** Only lists whose other arguments equal these (all lists of the query when left out). */
  argsToMatch?: Partial<PaginatedQueryArgs<Q>>;
  localQueryStore: OptimisticLocalStore;
}

type PageQuery<Q extends PaginatedQueryReference> = { args: { paginationOpts: PaginationOptions } & Record<string, unknown>; value: PaginationResult<PaginatedQueryItem<Q>> | undefined };

function matchingPages<Q extends PaginatedQueryReference>({ paginatedQuery, argsToMatch, localQueryStore }: PaginatedUpdate<Q>): PageQuery<Q>[] {
  const pages = localQueryStore.getAllQueries(paginatedQuery) as unknown as PageQuery<Q>[];
  return pages.filter(({ args }) =>
    Object.entries(argsToMatch ?? {}).every(([key, expected]) => compareValues(args[key] as Value, expected as Value) === 0),
  );
}

function setPage<Q extends PaginatedQueryReference>(update: PaginatedUpdate<Q>, page: PageQuery<Q>, items: PaginatedQueryItem<Q>[]): void {
  update.localQueryStore.setQuery(update.paginatedQuery, page.args as never, { ...page.value!, page: items } as never);
}

/**
 * Shows `item` first in every matching list (for lists ordered newest first).
 *
 * @example
 * useMutation(api.messages.send).withOptimisticUpdate((localStore, args) =>
 *   insertAtTop({ paginatedQuery: api.messages.list, argsToMatch: { room: args.room }, localQueryStore: localStore,
 *     item: { _id: crypto.randomUUID(), _creationTime: Date.now(), ...args } }));
 */
export function insertAtTop<Q extends PaginatedQueryReference>(update: PaginatedUpdate<Q> & { item: PaginatedQueryItem<Q> }): void {
  for (const page of matchingPages(update)) {
    if (page.value === undefined || page.args.paginationOpts.cursor !== null) continue;
    setPage(update, page, [update.item, ...page.value.page]);
  }
}

/** Shows `item` last in every matching list whose last page is loaded (for lists ordered oldest first). */
export function insertAtBottomIfLoaded<Q extends PaginatedQueryReference>(update: PaginatedUpdate<Q> & { item: PaginatedQueryItem<Q> }): void {
  for (const page of matchingPages(update)) {
    if (page.value === undefined || !page.value.isDone) continue;
    setPage(update, page, [...page.value.page, update.item]);
  }
}

/** Replaces items for which `update` returns a new value (return the item itself to keep it). */
export function updateInPaginatedQuery<Q extends PaginatedQueryReference>(
  update: PaginatedUpdate<Q> & { updateValue: (item: PaginatedQueryItem<Q>) => PaginatedQueryItem<Q> },
): void {
  for (const page of matchingPages(update)) {
    if (page.value === undefined) continue;
    const items = page.value.page.map(update.updateValue);
    if (items.some((item, i) => item !== page.value!.page[i])) setPage(update, page, items);
  }
}
