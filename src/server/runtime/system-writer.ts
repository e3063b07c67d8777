// The names of the system writes and the function that runs one: what the scheduler and storage
// APIs call. Apart from system-writes.ts, which applies those writes with the scheduler's and
// storage's own table helpers, so that neither side imports the other back.

import type { Value } from "../../values/value.js";

/** The system writes, by name. */
export type SystemWriteName = "scheduler.schedule" | "scheduler.cancel" | "storage.insertFile" | "storage.deleteFile";

/**
 * Runs one system write as its own transaction (on the leader, wherever it is called) and
 * returns its value; a refused write throws with the reason.
 *
 * @example
 * const jobId = await write("scheduler.schedule", { name: "ticks:record", kind: "mutation", args: {}, scheduledTime: Date.now() });
 */
export type SystemWriter = (name: SystemWriteName, args: Value) => Promise<Value>;
