// Finished jobs stay readable for a week (so a UI can show what happened), then are deleted a
// batch at a time. Pending and running jobs are never pruned, however old.
//
// Age is measured from `scheduledTime`, through the runner's own index (a second index on
// `completedTime` would cost every job write): a job canceled long before its time stays until
// a week after that time, which is what a UI listing upcoming jobs expects anyway.

import type { Database } from "../db/types.js";
import { BY_KIND_STATE_TIME, jobs } from "./scheduled-functions-table.js";

export const FINISHED_JOB_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const BATCH = 1_000;

/**
 * Deletes finished jobs scheduled more than a week before `now`. Returns how many it removed.
 *
 * @example
 * await pruneFinishedJobs(db, Date.now());
 */
export async function pruneFinishedJobs(db: Database, now: number): Promise<number> {
  let removed = 0;
  for (const kind of ["mutation", "action"] as const) {
    for (const state of ["success", "failed", "canceled"] as const) {
      for (;;) {
        // Read first: nothing to prune must not cost a commit (every commit wakes the sync layer).
        const { result: old } = await db.read((tx) =>
          jobs(tx.db.system)
            .withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", kind).eq("state.kind", state).lt("scheduledTime", now - FINISHED_JOB_MAX_AGE_MS))
            .take(BATCH),
        );
        if (old.length === 0) break;
        // Finished jobs never change again, so what the read found is still there to delete.
        await db.write(
          async (tx) => {
            for (const job of old) if ((await tx.db.system.get(job._id)) !== null) await tx.systemWriter!.delete(job._id);
          },
          { system: true },
        );
        removed += old.length;
        if (old.length < BATCH) break;
      }
    }
  }
  return removed;
}
