// The writes an action makes without a mutation of its own: `ctx.scheduler.runAfter / runAt /
// cancel`, `ctx.storage.delete`, and the `_storage` row of `ctx.storage.store` or an upload. Each
// is one small transaction. They are named and their arguments are values, so that a cluster's
// follower can send them to the leader exactly like a forwarded mutation (same endpoint, same
// node secret, same exactly-once record) instead of through a second mechanism.

import type { FileMetadata } from "../define/system-tables.js";
import type { WriteTransaction } from "../db/types.js";
import { isPlainObject, type Value } from "../../values/value.js";
import { cancelJob } from "../scheduler/scheduler-api.js";
import { insertJob, type JobKind, type NewJob } from "../scheduler/scheduled-functions-table.js";
import { deleteRow } from "../storage/storage-api.js";
import { STORAGE_TABLE } from "../storage/storage-table.js";
import type { NewFileRow } from "../storage/file-storage.js";
import type { SystemWriteName } from "./system-writer.js";

export type { NewFileRow };

const NAMES: ReadonlySet<string> = new Set<SystemWriteName>(["scheduler.schedule", "scheduler.cancel", "storage.insertFile", "storage.deleteFile"]);

/** What a committed system write leaves to do: wake the job runner, release a blob. */
export interface SystemWriteEffects {
  /** The time of the job it scheduled. */
  readonly scheduledTime?: number;
  /** The digest of the file it deleted (its blob goes unless another row names it). */
  readonly deletedDigest?: string;
}


/**
 * True for the name of a system write (a forwarded call naming anything else is refused).
 *
 * @example
 * if (!isSystemWriteName(call.name)) throw new Error("unknown system write");
 */
export function isSystemWriteName(name: string): name is SystemWriteName {
  return NAMES.has(name);
}

/**
 * Performs the system write `name` in `tx` (opened with `{ system: true }`); `now` is the
 * scheduler's clock (a cancel records when it happened).
 *
 * @example
 * const { value, effects } = await applySystemWrite(tx, "storage.deleteFile", { id }, Date.now());
 */
export async function applySystemWrite(tx: WriteTransaction, name: string, args: Value, now: number): Promise<{ value: Value; effects: SystemWriteEffects }> {
  const writer = tx.systemWriter;
  if (writer === undefined) throw new Error("A system write needs a transaction opened with { system: true }.");
  if (!isPlainObject(args)) throw new TypeError(`The arguments of the system write ${name} must be an object.`);
  const given = args as Record<string, Value>;
  switch (name) {
    case "scheduler.schedule": {
      const job = newJob(given);
      return { value: await insertJob(writer, job), effects: { scheduledTime: job.scheduledTime } };
    }
    case "scheduler.cancel":
      await cancelJob(writer, given.id, now);
      return { value: null, effects: {} };
    case "storage.insertFile": {
      const row = newFileRow(given);
      return { value: (await writer.insert(STORAGE_TABLE, { ...row })) as FileMetadata["_id"], effects: {} };
    }
    case "storage.deleteFile":
      return { value: null, effects: { deletedDigest: await deleteRow(tx, given.id) } };
    default:
      throw new Error(`There is no system write ${JSON.stringify(name)}.`);
  }
}

/** The job of a `scheduler.schedule` call (checked by the caller's `prepareJob`; shape-checked again here). */
function newJob(args: Record<string, Value>): NewJob {
  const { name, kind, scheduledTime } = args;
  if (typeof name !== "string" || (kind !== "mutation" && kind !== "action") || typeof scheduledTime !== "number" || !isPlainObject(args.args)) {
    throw new TypeError("scheduler.schedule needs name, kind (mutation or action), args (an object) and scheduledTime.");
  }
  return { name, kind: kind as JobKind, args: args.args!, scheduledTime };
}

/** The row of a `storage.insertFile` call. */
export function newFileRow(args: { readonly [key: string]: Value | undefined }): NewFileRow {
  const { sha256, size, contentType } = args;
  if (typeof sha256 !== "string" || typeof size !== "number" || (contentType !== undefined && typeof contentType !== "string")) {
    throw new TypeError("storage.insertFile needs sha256, size and an optional contentType.");
  }
  return { sha256, size, ...(contentType !== undefined ? { contentType } : {}) };
}
