// Compile-time tests: ctx.db's `(table, id)` forms take their table from `table` alone, so an id
// of another table is refused (it used to widen the table to both); the `(id)` forms are unchanged.
import type { AnyDataModel, DatabaseWriter } from "syncline/server";
import type { Doc, Id } from "../fixtures/app/syncline/_generated/dataModel";
import type { MutationCtx } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

declare const ctx: MutationCtx;
declare const messageId: Id<"messages">;
declare const taskId: Id<"tasks">;
declare const jobId: Id<"_scheduled_functions">;

export async function wrongTable() {
  // @ts-expect-error a messages id is not a tasks id
  await ctx.db.get("tasks", messageId);
  // @ts-expect-error ... for patch
  await ctx.db.patch("tasks", messageId, { text: "x" });
  // @ts-expect-error ... for replace
  await ctx.db.replace("tasks", messageId, { text: "x" });
  // @ts-expect-error ... for delete
  await ctx.db.delete("tasks", messageId);
  // @ts-expect-error ... and for the system tables
  await ctx.db.system.get("_scheduled_functions", messageId);
}

export async function rightTable() {
  const task = await ctx.db.get("tasks", taskId);
  expectTrue<Equal<typeof task, Doc<"tasks"> | null>>();
  await ctx.db.patch("tasks", taskId, { text: "x" });
  await ctx.db.replace("tasks", taskId, { text: "x" });
  await ctx.db.delete("tasks", taskId);
  const job = await ctx.db.system.get("_scheduled_functions", jobId);
  expectTrue<Equal<typeof job, Doc<"_scheduled_functions"> | null>>();
}

export async function idOnly() {
  const message = await ctx.db.get(messageId);
  expectTrue<Equal<typeof message, Doc<"messages"> | null>>();
  await ctx.db.patch(messageId, { body: "x" });
  await ctx.db.replace(taskId, { text: "x" });
  await ctx.db.delete(messageId);
  // @ts-expect-error the fields are those of the id's table
  await ctx.db.patch(messageId, { text: "x" });
}

// Without a schema no id knows its table (documents' `_id`s are `Id<string>`), so the
// `(table, id)` forms take any id, as before.
declare const db: DatabaseWriter<AnyDataModel>;
export async function withoutSchema() {
  const doc = await db.query("messages").first();
  if (doc === null) return;
  await db.get("messages", doc._id);
  await db.patch("messages", doc._id, { body: "x" });
  await db.replace("messages", doc._id, { body: "x" });
  await db.delete("messages", doc._id);
}

// Without a schema, fields are `any`, as Convex types a schemaless app: code written for one
// (`ctx.storage.getUrl(message.body)`) compiles unchanged; `_id` and `_creationTime` stay typed.
declare const storage: import("syncline/server").StorageReader;
export async function schemalessFieldsAreAny() {
  const message = await db.query("messages").first();
  if (message === null) return;
  const url: string | null = await storage.getUrl(message.body);
  const count: number = message.count;
  const id: import("syncline/values").Id<string> = message._id;
  const created: number = message._creationTime;
  // @ts-expect-error _creationTime is a number even without a schema
  const notString: string = message._creationTime;
  return [url, count, id, created, notString];
}
