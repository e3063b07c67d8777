// Compile-time tests: the documented pagination pattern - `paginationOptsValidator` in `args`,
// `paginate(args.paginationOpts)` in the handler (api.docs.list, api.behaviour.paged), the
// reference given to `watchPaginatedQuery` / `usePaginatedQuery` - type-checks, with typed items.
// tsconfig.json checks this file with the project's options; tsconfig.strict.json checks it
// again with `exactOptionalPropertyTypes`, under which `?: T` and `?: T | undefined` differ (the
// validator's `v.optional` fields infer the latter).
import { SynclineClient, watchPaginatedQuery, type PaginatedQueryResult, type PaginationOptions } from "syncline";
import { usePaginatedQuery } from "syncline/react";
import { paginationOptsValidator } from "syncline/server";
import type { Infer } from "syncline/values";
import { api } from "../fixtures/app/syncline/_generated/api";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

// What the validator hands a handler is what `paginate` takes.
declare const fromValidator: Infer<typeof paginationOptsValidator>;
export const options: PaginationOptions = fromValidator;

// The references are paginated queries, with typed items.
declare const client: SynclineClient;
const feed = watchPaginatedQuery(client, api.docs.list, {}, { initialNumItems: 10 });
expectTrue<Equal<ReturnType<typeof feed.getCurrentResult>, PaginatedQueryResult<Doc<"messages">>>>();
const roomFeed = watchPaginatedQuery(client, api.behaviour.paged, { room: "a" }, { initialNumItems: 10 });
expectTrue<Equal<ReturnType<typeof roomFeed.getCurrentResult>, PaginatedQueryResult<Doc<"messages">>>>();

export function useFeeds() {
  const { results } = usePaginatedQuery(api.docs.list, {}, { initialNumItems: 10 });
  expectTrue<Equal<(typeof results)[number], Doc<"messages">>>();
  const inRoom = usePaginatedQuery(api.behaviour.paged, { room: "a" }, { initialNumItems: 10 });
  expectTrue<Equal<(typeof inRoom.results)[number], Doc<"messages">>>();
  return [results, inRoom.results];
}
