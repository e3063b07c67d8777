// Compile-time tests: SynclineClient and SynclineHttpClient accept only public references of the
// right kind, type their arguments and results, and keep optimistic updates and pagination typed.
import {
  makeFunctionReference,
  SynclineClient,
  SynclineHttpClient,
  watchPaginatedQuery,
  type PaginatedQueryResult,
  type PaginationOptions,
  type PaginationResult,
  type QueryResult,
  type QueryWatch,
} from "syncline";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/app/syncline/_generated/api";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

declare const client: SynclineClient;
declare const http: SynclineHttpClient;
const planId = "" as Id<"plans">;

// ---- results are typed ---------------------------------------------------------------------------
expectTrue<Equal<Awaited<ReturnType<typeof querySum>>, number>>();
function querySum() {
  return client.query(api.myFunctions.sum, { a: 1, b: 2 });
}
expectTrue<Equal<Awaited<ReturnType<typeof createTask>>, Id<"tasks">>>();
function createTask() {
  return client.mutation(api.myFunctions.createTask, { text: "x" });
}
expectTrue<Equal<Awaited<ReturnType<typeof mutateSomething>>, null>>();
function mutateSomething() {
  return client.mutation(api.myFunctions.mutateSomething, {});
}
expectTrue<Equal<ReturnType<typeof watchTasks>, QueryWatch<Doc<"tasks">[]>>>();
function watchTasks() {
  return client.watchQuery(api.myFunctions.getTaskList, { taskListId: "" as Id<"taskLists"> });
}
expectTrue<Equal<ReturnType<ReturnType<typeof watchTasks>["getCurrentResult"]>, QueryResult<Doc<"tasks">[]>>>();
client.subscribe(api.myFunctions.sum, { a: 1, b: 2 }, (value) => {
  expectTrue<Equal<typeof value, number>>();
});
expectTrue<Equal<Awaited<ReturnType<typeof httpSum>>, number>>();
function httpSum() {
  return http.query(api.myFunctions.sum, { a: 1, b: 2 });
}

// Snapshots narrow on status.
declare const snapshot: QueryResult<number>;
if (snapshot.status === "success") expectTrue<Equal<typeof snapshot.value, number>>();
if (snapshot.status === "error") expectTrue<Equal<typeof snapshot.error, Error>>();

// ---- args are typed ------------------------------------------------------------------------------
// @ts-expect-error wrong argument type
client.query(api.myFunctions.sum, { a: "1", b: 2 });
// @ts-expect-error missing argument
client.subscribe(api.myFunctions.sum, { a: 1 }, () => {});
// @ts-expect-error unknown argument
client.mutation(api.myFunctions.createTask, { text: "x", extra: 1 });
// @ts-expect-error args are required when a field is required
client.action(api.changes.upgrade);
// Args may be omitted when the function takes none.
void client.query(api.nested.deeper.things.hello);
client.watchQuery(api.nested.deeper.things.hello);
client.prewarm(api.nested.deeper.things.hello);

// ---- internal references are refused by every client API -----------------------------------------
// @ts-expect-error a misspelled function (at run time the client names the closest one)
client.query(api.myFunctions.summ, { a: 1, b: 2 });
// @ts-expect-error a misspelled module
client.mutation(api.myFunction.createTask, { text: "x" });
// @ts-expect-error internal query
void client.query(internal.nested.deeper.things.secret, {});
// @ts-expect-error internal query
client.subscribe(internal.nested.deeper.things.secret, {}, () => {});
// @ts-expect-error internal query
client.watchQuery(internal.nested.deeper.things.secret, {});
// @ts-expect-error internal query
client.prewarm(internal.nested.deeper.things.secret, {});
// @ts-expect-error internal mutation
void client.mutation(internal.plans.markPlanAsProfessional, { planId });
// @ts-expect-error internal mutation
void http.mutation(internal.plans.markPlanAsProfessional, { planId });

// ---- references of the wrong kind are refused ----------------------------------------------------
// @ts-expect-error a mutation is not a query
void client.query(api.myFunctions.createTask, { text: "x" });
// @ts-expect-error a mutation is not a query
client.subscribe(api.myFunctions.createTask, { text: "x" }, () => {});
// @ts-expect-error a query is not a mutation
void client.mutation(api.myFunctions.sum, { a: 1, b: 2 });
// @ts-expect-error a mutation is not an action
void client.action(api.myFunctions.createTask, { text: "x" });
// @ts-expect-error an action is not a mutation
void http.mutation(api.changes.upgrade, { planId, paymentUrl: "" });

// ---- plain strings are refused ---------------------------------------------------------------------
// @ts-expect-error a string is not a reference
void client.query("myFunctions:sum", { a: 1, b: 2 });
// @ts-expect-error a string is not a reference
void client.mutation("myFunctions:createTask", { text: "x" });
// @ts-expect-error a string is not a reference
void client.action("changes:upgrade", { planId, paymentUrl: "" });

// ---- optimistic updates are typed ----------------------------------------------------------------
void client.mutation(
  api.myFunctions.createTask,
  { text: "x" },
  {
    optimisticUpdate: (store, args) => {
      expectTrue<Equal<typeof args, { text: string }>>();
      const tasks = store.getQuery(api.myFunctions.getTaskList, { taskListId: "" as Id<"taskLists"> });
      expectTrue<Equal<typeof tasks, Doc<"tasks">[] | undefined>>();
      store.setQuery(api.myFunctions.sum, { a: 1, b: 2 }, 3);
      store.setQuery(api.myFunctions.sum, { a: 1, b: 2 }, undefined);
      // @ts-expect-error the value must match the query's result type
      store.setQuery(api.myFunctions.sum, { a: 1, b: 2 }, "three");
      // @ts-expect-error internal queries are not in the local store
      store.getQuery(internal.nested.deeper.things.secret, {});
      for (const { args: queryArgs, value } of store.getAllQueries(api.myFunctions.sum)) {
        expectTrue<Equal<typeof queryArgs, { a: number; b: number }>>();
        expectTrue<Equal<typeof value, number | undefined>>();
      }
    },
  },
);

// ---- pagination ---------------------------------------------------------------------------------
const page = makeFunctionReference<"query", { room: string; paginationOpts: PaginationOptions }, PaginationResult<Doc<"tasks">>>(
  "query",
  "tasks:page",
);
const feed = watchPaginatedQuery(client, page, { room: "a" }, { initialNumItems: 10 });
expectTrue<Equal<ReturnType<typeof feed.getCurrentResult>, PaginatedQueryResult<Doc<"tasks">>>>();
feed.loadMore(10);
// @ts-expect-error paginationOpts is managed by the client
watchPaginatedQuery(client, page, { room: "a", paginationOpts: { numItems: 1, cursor: null } }, { initialNumItems: 10 });
// @ts-expect-error missing argument
watchPaginatedQuery(client, page, {}, { initialNumItems: 10 });
// @ts-expect-error not a paginated query
watchPaginatedQuery(client, api.myFunctions.sum, { a: 1, b: 2 }, { initialNumItems: 10 });
