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
