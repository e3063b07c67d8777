// Compile-time tests of the React hooks: only public references of the right kind, typed args
// and results.
import { useAction, useMutation, usePaginatedQuery, useQuery, useQueryState, useSuspenseQuery } from "syncline/react";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/app/syncline/_generated/api";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

export function Component() {
  const sum = useQuery(api.myFunctions.sum, { a: 1, b: 2 });
  expectTrue<Equal<typeof sum, number | undefined>>();
  const list = useSuspenseQuery(api.behaviour.listRoom, { room: "a" });
  expectTrue<Equal<typeof list, Doc<"messages">[]>>();
  const state = useQueryState(api.myFunctions.sum, "skip");
  if (state.status === "success") expectTrue<Equal<typeof state.data, number>>();
  useQuery(api.nested.deeper.things.hello); // args may be left out
  useQuery(api.myFunctions.sum, { a: 1, b: 2 }, { keepPreviousData: true, staySubscribedMs: 1000 });

  // @ts-expect-error internal references are refused
  useQuery(internal.nested.deeper.things.secret, {});
  // @ts-expect-error a mutation is not a query
  useQuery(api.myFunctions.createTask, { text: "x" });
  // @ts-expect-error wrong argument type
  useQuery(api.myFunctions.sum, { a: "1", b: 2 });
  // @ts-expect-error missing arguments
  useQuery(api.myFunctions.sum);

  const create = useMutation(api.myFunctions.createTask);
  expectTrue<Equal<Awaited<ReturnType<typeof create>>, Id<"tasks">>>();
  // @ts-expect-error internal mutations are refused
  useMutation(internal.plans.markPlanAsProfessional);
  // @ts-expect-error a query is not a mutation
  useMutation(api.myFunctions.sum);
  // @ts-expect-error an action is not a mutation
  useMutation(api.changes.upgrade);

  const upgrade = useAction(api.changes.upgrade);
  expectTrue<Equal<Awaited<ReturnType<typeof upgrade>>, boolean>>();
  // @ts-expect-error a mutation is not an action
  useAction(api.myFunctions.createTask);

  const paged = usePaginatedQuery(api.behaviour.paged, { room: "a" }, { initialNumItems: 10 });
  expectTrue<Equal<(typeof paged.results)[number], Doc<"messages">>>();
  // @ts-expect-error a non-paginated query
  usePaginatedQuery(api.behaviour.listRoom, { room: "a" }, { initialNumItems: 10 });
  return null;
}
