// Names Convex code imports from "convex/values", after the import is rewritten to "syncline/values".

import { AppError, ConvexError, type GenericId, type Id } from "syncline/values";

const error = new ConvexError({ code: "NOT_FOUND" as const });
const code: "NOT_FOUND" = error.data.code;
const asAppError: AppError<{ code: "NOT_FOUND" }> = error;
const asConvexError: ConvexError<{ code: "NOT_FOUND" }> = new AppError({ code: "NOT_FOUND" as const });

const id = "tasks_x" as Id<"tasks">;
const same: GenericId<"tasks"> = id;
// @ts-expect-error an id of another table is not a GenericId<"tasks">
const other: GenericId<"tasks"> = "users_x" as Id<"users">;

export { code, asAppError, asConvexError, same, other };

// Names from "convex/server", after the import is rewritten to "syncline/server".
import type { CronJobs, DatabaseReader, DatabaseWriter, DocumentByInfo, Expand, FieldTypeFromFieldPath, FunctionReference, FunctionReturnType, GenericDatabaseReader, GenericDatabaseWriter } from "syncline/server";
import type { DataModel, Doc } from "../fixtures/app/syncline/_generated/dataModel";
import { cronJobs } from "syncline/server";
import { expectTrue, type Equal } from "./helpers";

expectTrue<Equal<GenericDatabaseReader<DataModel>, DatabaseReader<DataModel>>>();
expectTrue<Equal<GenericDatabaseWriter<DataModel>, DatabaseWriter<DataModel>>>();
expectTrue<Equal<DocumentByInfo<DataModel["messages"]>, Doc<"messages">>>();
expectTrue<Equal<FieldTypeFromFieldPath<{ a: { b: number } }, "a.b">, number>>();
expectTrue<Equal<Expand<{ a: 1 } & { b: 2 }>, { a: 1; b: 2 }>>();
expectTrue<Equal<FunctionReturnType<FunctionReference<"query", "public", {}, string>>, string>>();
const crons: CronJobs = cronJobs();
export { crons };
