// Compile-time tests of syncline/testing: calls are typed by the reference (arguments, result,
// kind; internal references allowed), t.run's ctx.db by the data model, the test client's
// hand-set results and answers by the reference too.
import { syncTest, type SyncTest } from "syncline/testing";
import { createTestClient, SynclineTestProvider } from "syncline/testing/react";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/testing/syncline/_generated/api";
import type { DataModel, Doc } from "../fixtures/testing/syncline/_generated/dataModel";
import { expectTrue, type Equal } from "./helpers";

declare const t: SyncTest<DataModel>;

async function calls() {
  const id = await t.mutation(api.messages.send, { room: "a", body: "hi" });
  expectTrue<Equal<typeof id, Id<"messages">>>();
  const list = await t.query(api.messages.list, { room: "a" });
  expectTrue<Equal<typeof list, Doc<"messages">[]>>();
  const count = await t.query(internal.messages.count, { room: "a" });
  expectTrue<Equal<typeof count, number>>();
  await t.action(api.messages.countFromAction, { room: "a" });
  await t.query(api.messages.whoami);
  // @ts-expect-error arguments are checked
  await t.query(api.messages.list, { room: 1 });
  // @ts-expect-error required arguments cannot be left out
  await t.query(api.messages.list);
  // @ts-expect-error a mutation is not a query
  await t.query(api.messages.send, { room: "a", body: "hi" });
  // @ts-expect-error an action is not a mutation
  await t.mutation(api.messages.countFromAction, { room: "a" });
}

async function direct() {
  const id = await t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "b", author: "c" }));
  expectTrue<Equal<typeof id, Id<"messages">>>();
  const doc = await t.run((ctx) => ctx.db.get(id));
  expectTrue<Equal<typeof doc, Doc<"messages"> | null>>();
  // @ts-expect-error documents are checked against the schema
  await t.run((ctx) => ctx.db.insert("messages", { room: "a" }));
  // @ts-expect-error tables are checked
  await t.run((ctx) => ctx.db.query("nope"));
  const asAda = t.withIdentity({ subject: "ada", name: "Ada", isAdmin: true });
  await asAda.run((ctx) => ctx.db.query("events").collect());
  await t.advanceTime(1000);
  await t.finishScheduledFunctions({ maxRounds: 10 });
  const response: Response = await t.fetch("/send", { method: "POST" });
  void response;
  void (await syncTest<DataModel>({ dir: new URL("file:///x") }));
}

function components() {
  const client = createTestClient({ answer: "manual", defaultResult: null });
  client.setQueryResult(api.messages.list, { room: "a" }, []);
  // @ts-expect-error the result is typed by the query
  client.setQueryResult(api.messages.list, { room: "a" }, [{ body: 1 }]);
  // @ts-expect-error arguments are typed by the query
  client.setQueryResult(api.messages.list, { room: 1 }, []);
  client.setQueryLoading(api.messages.whoami);
  client.onMutation(api.messages.send, ({ room, body }) => `${room}${body}` as Id<"messages">);
  // @ts-expect-error the handler's result is typed by the mutation
  client.onMutation(api.messages.send, () => 1);
  const calls = client.mutationCalls(api.messages.send);
  const body: string = calls[0]!.args.body;
  void body;
  return [<SynclineTestProvider client={client} />, <SynclineTestProvider runtime={t.withIdentity({})} clientOptions={{ logger: false }} />];
}

void calls;
void direct;
void components;
