// The types of the system tables user code may read through `ctx.db.system`. The tables
// themselves are defined by the server (src/server/scheduler/scheduled-functions-table.ts).

import type { Id } from "../../values/id.js";
import type { Value } from "../../values/value.js";
import type { GenericDataModel, TableNamesInDataModel } from "./data-model.js";

/**
 * Where a scheduled function is: waiting, running, or finished one way or another.
 * Mutations go from `pending` straight to `success` or `failed` (they run and record their
 * status in one transaction); actions pass through `inProgress`.
 */
export type ScheduledFunctionState =
  | { kind: "pending" }
  | { kind: "inProgress" }
  | { kind: "success" }
  | { kind: "failed"; error: string }
  | { kind: "canceled" };

/**
 * One row of `_scheduled_functions`: a job made by `ctx.scheduler.runAfter/runAt` or a cron.
 *
 * @example
 * const job = await ctx.db.system.get(jobId);
 * if (job?.state.kind === "failed") console.log(job.name, job.state.error);
 */
// A type alias rather than an interface: documents must fit `Record<string, Value>`.
export type ScheduledFunction = {
  _id: Id<"_scheduled_functions">;
  _creationTime: number;
  /** The function's canonical name, `module/path:export`. */
  name: string;
  /** Whether it runs as a mutation (exactly once) or an action (at most once). */
  kind: "mutation" | "action";
  /** The arguments, as one-element array holding the arguments object. */
  args: Value[];
  /** When it is due, in milliseconds since the epoch. */
  scheduledTime: number;
  /** When it finished (succeeded, failed or was canceled). */
  completedTime?: number;
  state: ScheduledFunctionState;
};

/**
 * One row of `_storage`: a file stored by `ctx.storage.store` or an upload URL. Its `_id` is the
 * storage id; the bytes never change while the row exists.
 *
 * @example
 * const file = await ctx.db.system.get(storageId);
 * if (file !== null) console.log(file.size, file.contentType);
 */
export type FileMetadata = {
  _id: Id<"_storage">;
  _creationTime: number;
  /** The SHA-256 digest of the bytes, base64-encoded. */
  sha256: string;
  /** The size in bytes. */
  size: number;
  /** The `Content-Type` the file was uploaded with, if any; files are served with it. */
  contentType?: string;
};

/** The system tables' data model (what `ctx.db.system` is typed against). */
export type SystemDataModel = {
  _storage: {
    document: FileMetadata;
    fieldPaths: "_id" | "_creationTime" | "sha256" | "size" | "contentType";
    indexes: { by_id: ["_id"]; by_creation_time: ["_creationTime"] };
  };
  _scheduled_functions: {
    document: ScheduledFunction;
    fieldPaths: "_id" | "_creationTime" | "name" | "kind" | "args" | "scheduledTime" | "completedTime" | "state" | "state.kind" | "state.error";
    indexes: { by_id: ["_id"]; by_creation_time: ["_creationTime"] };
  };
};

/** The names of the system tables. */
export type SystemTableNames = TableNamesInDataModel<SystemDataModel>;

/**
 * The document of `T`, a table of `DM` or a system table: what generated `Doc<T>` means.
 *
 * With a schema, the table names are known and never start with `_`, so `T` picks from each
 * model the tables it has; the half that does not apply is `never`. Spelled without a
 * conditional on `T` so that generic code keeps working: a `Doc<T>` for `T extends TableNames`
 * still accepts what `ctx.db.get(id: Id<T>)` returns. Without a schema any name is a table of
 * `DM`, so the system tables have to be picked out first.
 *
 * @example
 * type Job = DocumentByNameOrSystem<DataModel, "_scheduled_functions">; // ScheduledFunction
 * type Task = DocumentByNameOrSystem<DataModel, "tasks">;
 */
export type DocumentByNameOrSystem<DM extends GenericDataModel, T extends TableNamesInDataModel<DM> | SystemTableNames> =
  string extends TableNamesInDataModel<DM>
    ? T extends SystemTableNames
      ? SystemDataModel[T]["document"]
      : DM[T]["document"]
    : DM[T & TableNamesInDataModel<DM>]["document"] | SystemDataModel[T & SystemTableNames]["document"];
