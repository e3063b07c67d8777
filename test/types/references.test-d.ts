// Compile-time tests: references carry kind, visibility, args and result; client-side APIs
// refuse internal references and references of the wrong kind.
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
  OptionalRestArgs,
} from "syncline";
import { makeFunctionReference } from "syncline";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/app/syncline/_generated/api";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

// What client-side APIs (useQuery, client.query, ...) accept: public references of one kind.
declare function clientQuery<Q extends FunctionReference<"query", "public">>(query: Q, ...args: OptionalRestArgs<Q>): FunctionReturnType<Q>;
declare function clientMutation<M extends FunctionReference<"mutation", "public">>(mutation: M, ...args: OptionalRestArgs<M>): FunctionReturnType<M>;
declare function clientAction<A extends FunctionReference<"action", "public">>(action: A, ...args: OptionalRestArgs<A>): FunctionReturnType<A>;

// Public references of the right kind are accepted, with typed args and results.
expectTrue<Equal<ReturnType<typeof clientQueryResult>, number>>();
function clientQueryResult() {
  return clientQuery(api.myFunctions.sum, { a: 1, b: 2 });
}
clientMutation(api.myFunctions.createTask, { text: "x" });
clientAction(api.changes.upgrade, { planId: "" as Id<"plans">, paymentUrl: "http://127.0.0.1" });

// `args: {}` means "no arguments": the args may be left out or empty, and arguments are refused.
clientMutation(api.behaviour.clock);
clientMutation(api.behaviour.clock, {});
// @ts-expect-error a function declared with `args: {}` takes no arguments
clientMutation(api.behaviour.clock, { extra: 1 });
clientQuery(api.behaviour.logs, {});
// @ts-expect-error ... whether it is a query or a mutation
clientQuery(api.behaviour.logs, { extra: 1 });

// Internal references are refused by every client-side API.
// @ts-expect-error internal query
clientQuery(internal.nested.deeper.things.secret, {});
// @ts-expect-error internal mutation
clientMutation(internal.plans.markPlanAsProfessional, { planId: "" as Id<"plans"> });

// References of the wrong kind are refused.
// @ts-expect-error a mutation is not a query
clientQuery(api.myFunctions.createTask, { text: "x" });
// @ts-expect-error a query is not a mutation
clientMutation(api.myFunctions.sum, { a: 1, b: 2 });
// @ts-expect-error an action is not a query
clientQuery(api.changes.upgrade, { planId: "" as Id<"plans">, paymentUrl: "" });

// Plain strings are refused.
// @ts-expect-error a string is not a reference
clientQuery("myFunctions:sum", { a: 1, b: 2 });

// Arguments flow from validators.
// @ts-expect-error wrong argument type
clientQuery(api.myFunctions.sum, { a: "1", b: 2 });
// @ts-expect-error missing argument
clientQuery(api.myFunctions.sum, { a: 1 });
// @ts-expect-error unknown argument
clientQuery(api.myFunctions.sum, { a: 1, b: 2, c: 3 });
// @ts-expect-error args are required when a field is required
clientQuery(api.myFunctions.sum);
// Args may be omitted when the function takes none.
clientQuery(api.nested.deeper.things.hello);
// Unvalidated args are typed by the handler's annotation.
expectTrue<Equal<FunctionArgs<typeof api.myFunctions.sumUnvalidated>, { a: number; b: number }>>();

// Results flow from handlers and `returns` validators; undefined/void become null.
expectTrue<Equal<FunctionReturnType<typeof api.myFunctions.createTask>, Id<"tasks">>>();
expectTrue<Equal<FunctionReturnType<typeof api.myFunctions.getTask>, Doc<"tasks"> | null>>();
expectTrue<Equal<FunctionReturnType<typeof api.myFunctions.mutateSomething>, null>>();
expectTrue<Equal<FunctionReturnType<typeof internal.plans.markPlanAsProfessional>, null>>();
expectTrue<Equal<FunctionReturnType<typeof api.nested.deeper.things.default>, string>>();
expectTrue<Equal<FunctionReturnType<typeof api.myFunctions.getTaskList>, Doc<"tasks">[]>>();
expectTrue<
  Equal<FunctionReturnType<typeof api.myFunctions.getTaskAndAuthor>, { task: Doc<"tasks">; author: string | null | undefined } | null>
>();

// References carry their kind and visibility in their types.
expectTrue<Equal<typeof api.myFunctions.sum.kind, "query">>();
expectTrue<Equal<typeof internal.plans.markPlanAsProfessional.visibility, "internal">>();

// makeFunctionReference is the explicit escape hatch, always public.
const manual = makeFunctionReference<"query", { room: string }, string[]>("query", "messages:list");
expectTrue<Equal<ReturnType<typeof manualResult>, string[]>>();
function manualResult() {
  return clientQuery(manual, { room: "a" });
}

// Documents have system fields.
expectTrue<Equal<Doc<"users">, { _id: Id<"users">; _creationTime: number; name: string }>>();
