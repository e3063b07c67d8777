// Compile-time tests of the TanStack adapter: the options fit every TanStack API as they are,
// data is typed from the reference, internal and wrong-kind references are refused.
import { QueryClient, useQueries, useQuery, useSuspenseQuery, useMutation } from "@tanstack/react-query";
import type { SynclineClient } from "syncline";
import { synclineAction, synclineMutation, synclineQuery } from "syncline/tanstack";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/app/syncline/_generated/api";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

declare const client: SynclineClient;
declare const queryClient: QueryClient;

export function Component() {
  const { data } = useQuery(synclineQuery(api.myFunctions.sum, { a: 1, b: 2 }));
  expectTrue<Equal<typeof data, number | undefined>>();
  const suspended = useSuspenseQuery(synclineQuery(api.behaviour.listRoom, { room: "a" }));
  expectTrue<Equal<typeof suspended.data, Doc<"messages">[]>>();
  const many = useQueries({ queries: [synclineQuery(api.myFunctions.sum, { a: 1, b: 2 }), synclineQuery(api.behaviour.listRoom, { room: "a" })] });
  expectTrue<Equal<(typeof many)[0]["data"], number | undefined>>();
  useQuery(synclineQuery(api.myFunctions.sum, "skip"));
  const send = useMutation(synclineMutation(client, api.myFunctions.createTask));
  expectTrue<Equal<typeof send.data, Id<"tasks"> | undefined>>();
  useMutation(synclineAction(client, api.changes.upgrade));
  return null;
}

export async function loaders() {
  const prefetched: void = await queryClient.prefetchQuery(synclineQuery(api.myFunctions.sum, { a: 1, b: 2 }));
  const ensured = await queryClient.ensureQueryData(synclineQuery(api.myFunctions.sum, { a: 1, b: 2 }));
  expectTrue<Equal<typeof ensured, number>>();
  const cached = queryClient.getQueryData(synclineQuery(api.behaviour.listRoom, { room: "a" }).queryKey);
  expectTrue<Equal<typeof cached, Doc<"messages">[] | undefined>>();
  return prefetched;
}

// @ts-expect-error internal references are refused
synclineQuery(internal.nested.deeper.things.secret, {});
// @ts-expect-error a mutation is not a query
synclineQuery(api.myFunctions.createTask, { text: "x" });
// @ts-expect-error a query is not a mutation
synclineMutation(client, api.myFunctions.sum);
// @ts-expect-error internal mutations are refused
synclineMutation(client, internal.plans.markPlanAsProfessional);
