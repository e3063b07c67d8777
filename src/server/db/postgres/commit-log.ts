// The commit log: one row per committed mutation, `(ts, writes)`, written in the committing
// transaction. `writes` is the mutation's write set (index id + key of every index entry it
// added or removed), which is what read sets are checked against. The server replays it after
// a lost connection left a commit's outcome unknown; servers of a later version that follow
// another one's commits tail it the same way. Rows older than the retention are pruned.

import type { Commit } from "../types.js";
import { send, type Queryable } from "./store.js";
import { decodeWrites } from "./write-set-codec.js";

/**
 * The commits after `ts`, oldest first.
 *
 * @example
 * for (const commit of await commitsSince(sql, lastSeen)) invalidate(commit);
 */
export async function commitsSince(conn: Queryable, ts: bigint): Promise<Commit[]> {
  const rows = await send<{ ts: string; writes: Buffer }>(conn, "SELECT ts::text AS ts, writes FROM syncline_commit_log WHERE ts > $1 ORDER BY ts", [ts.toString()]);
  return rows.map((row) => Object.freeze({ ts: BigInt(row.ts), writeSet: Object.freeze({ writes: Object.freeze(decodeWrites(row.writes)) }) }));
}

/**
 * Deletes log rows older than `retentionMs` before `nowTs` (a commit timestamp: ns since the
 * epoch), and records the newest one deleted: a follower that has not applied that far can no
 * longer catch up from the log (see `prunedThrough`).
 */
export function pruneCommitLog(conn: Queryable, nowTs: bigint, retentionMs: number): Promise<unknown> {
  const cutoff = nowTs - BigInt(Math.round(retentionMs)) * 1_000_000n;
  return send(
    conn,
    "WITH pruned AS (DELETE FROM syncline_commit_log WHERE ts < $1 RETURNING ts) " +
      "INSERT INTO syncline_meta (key, value) SELECT 'log_pruned_through', max(ts)::text FROM pruned HAVING count(*) > 0 " +
      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [cutoff.toString()],
  );
}

/**
 * The newest commit the log no longer holds (0 when nothing was pruned yet).
 *
 * @example
 * if ((await prunedThrough(tx)) > applied) throw new Error("fell behind the log's retention");
 */
export async function prunedThrough(conn: Queryable): Promise<bigint> {
  const rows = await send<{ value: string }>(conn, "SELECT value FROM syncline_meta WHERE key = 'log_pruned_through'", []);
  return BigInt(rows[0]?.value ?? "0");
}
