// The commit timestamp on its own, so that modules below the database contract (types.ts) -
// the cluster node, for one - can name it without importing that contract back.

/**
 * A commit timestamp: u64 nanoseconds since the Unix epoch, strictly increasing forever.
 *
 * @example
 * const ts: Timestamp = BigInt(Date.now()) * 1_000_000n;
 */
export type Timestamp = bigint;
