// Compile-time tests: the generated `Id` and `Doc` name the project's tables and the system
// tables (`ctx.scheduler.runAfter` returns an `Id<"_scheduled_functions">`; `ctx.db.system` reads
// those rows), and nothing else; generic code over the project's tables keeps working.
import type { AnyDataModel, DocumentByName, DocumentByNameOrSystem, ScheduledFunction } from "syncline/server";
import type { Id as GenericId } from "syncline/values";
import { internal } from "../fixtures/app/syncline/_generated/api";
import type { DataModel, Doc, Id, TableNames } from "../fixtures/app/syncline/_generated/dataModel";
import type { DatabaseReader, MutationCtx } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

declare const ctx: MutationCtx;

export async function jobs(reportId: Id<"reports">) {
  const jobId: Id<"_scheduled_functions"> = await ctx.scheduler.runAfter(0, internal.reports.build, { reportId });
  expectTrue<Equal<Id<"_scheduled_functions">, GenericId<"_scheduled_functions">>>();
  const job: Doc<"_scheduled_functions"> | null = await ctx.db.system.get(jobId);
  expectTrue<Equal<Doc<"_scheduled_functions">, ScheduledFunction>>();
  return job?.state.kind;
}

// The project's tables are as before.
expectTrue<Equal<Doc<"tasks">, DocumentByName<DataModel, "tasks">>>();
expectTrue<Equal<Doc<"tasks" | "_scheduled_functions">, DocumentByName<DataModel, "tasks"> | ScheduledFunction>>();
// @ts-expect-error not a table
export type NoDoc = Doc<"nope">;
// @ts-expect-error not a table
export type NoId = Id<"nope">;

// Generic code over the project's tables: `Doc<T>` is still what `ctx.db.get` returns.
export async function load<T extends TableNames>(db: DatabaseReader, id: Id<T>): Promise<Doc<T> | null> {
  return db.get(id);
}

// Without a schema every name is a table, and the system tables keep their own documents.
expectTrue<Equal<DocumentByNameOrSystem<AnyDataModel, "_scheduled_functions">, ScheduledFunction>>();
expectTrue<Equal<DocumentByNameOrSystem<AnyDataModel, "tasks">, DocumentByName<AnyDataModel, "tasks">>>();
