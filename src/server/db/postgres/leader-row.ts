// The leader row (`syncline_leader`): the epoch that fences old leaders, and where the current
// leader takes forwarded mutations. A node that takes the leader lock bumps the epoch; every
// write transaction of a leader re-reads it FOR SHARE as its first statement, so a new leader's
// bump waits for a commit in flight and every later commit of the old leader sees the new epoch
// and is refused (scaleout.md, "Fencing").

import type { LeaderAddress } from "../cluster-node.js";
import type { Queryable } from "./session.js";

/** Raised when a newer leader exists: this node must never write again (the server exits). */
export class FencedError extends Error {
  override readonly name = "FencedError";
}

/**
 * Makes this node the leader of a new epoch (on the lock-holding connection).
 *
 * @example
 * const epoch = await bumpEpoch(writer, "node-a", "http://10.0.0.7:3210");
 */
export async function bumpEpoch(conn: Queryable, nodeId: string, address: string): Promise<bigint> {
  const rows = await conn.query<{ epoch: string }>("UPDATE syncline_leader SET epoch = epoch + 1, node_id = $1, address = $2, since = now() WHERE id = 1 RETURNING epoch::text AS epoch",
    [nodeId, address],
  );
  return BigInt(rows[0]!.epoch);
}

/**
 * The statement a schema or load transaction starts with: the epoch, locked against a new leader's
 * bump until COMMIT (a write batch reads it the same way, with its pid check: batch-connection.ts BEGIN_CHECKS).
 *
 * @example
 * checkEpoch(await lockEpoch(tx), myEpoch, "Refusing to commit");
 */
export function lockEpoch(conn: Queryable): Promise<{ epoch: string }[]> {
  return conn.query<{ epoch: string }>("SELECT epoch::text AS epoch FROM syncline_leader WHERE id = 1 FOR SHARE", []);
}

/**
 * Throws FencedError unless `rows` (from `lockEpoch`) still show `epoch`.
 *
 * @example
 * checkEpoch([{ epoch: "3" }], 2n, "Refusing to commit") // throws: a newer leader (epoch 3) took over
 */
export function checkEpoch(rows: readonly { epoch: string }[], epoch: bigint, what: string): void {
  const stored = BigInt(rows[0]?.epoch ?? "0");
  if (stored !== epoch) {
    throw new FencedError(`${what}: a newer leader (epoch ${stored}) took over from this node (epoch ${epoch}); this node never writes again.`);
  }
}

/**
 * The leader row as stored now.
 *
 * @example
 * const { epoch, address } = await readLeader(pool);
 */
export async function readLeader(conn: Queryable): Promise<LeaderAddress> {
  const rows = await conn.query<{ epoch: string; node_id: string; address: string }>("SELECT epoch::text AS epoch, node_id, address FROM syncline_leader WHERE id = 1", []);
  const row = rows[0];
  return { epoch: BigInt(row?.epoch ?? "0"), nodeId: row?.node_id ?? "", address: row?.address ?? "" };
}

/**
 * Sets the address of the leader of `epoch` (no-op once a newer one took over).
 *
 * @example
 * await writeLeaderAddress(pool, 4n, "http://10.0.0.7:3210");
 */
export function writeLeaderAddress(conn: Queryable, epoch: bigint, address: string): Promise<unknown> {
  return conn.query(
    "UPDATE syncline_leader SET address = $2 WHERE id = 1 AND epoch = $1", [epoch.toString(), address]);
}
