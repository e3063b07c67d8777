// Runs several read functions on one open snapshot, each with a transaction state and read set
// of its own. Both engines use it for `read` (one call) and `readBatch` (many): a batch shares
// the connection, BEGIN, the snapshot's timestamp and the durability wait, while every call
// keeps an exact read set, its own document limits and its own journal.

import type { Catalog } from "./catalog.js";
import type { Store } from "./engine.js";
import { ReadSetBuilder } from "./read-set.js";
import { EVERYTHING, Reader, USER_ONLY } from "./reader.js";
import { TxState } from "./transaction.js";
import type { ReadCall, ReadResult, ReadTransaction } from "./types.js";
import type { SchemaState } from "./validation.js";

/**
 * Runs every call at snapshot `ts` of `store` (the caller holds its transaction open until this
 * settles). Resolves with one result per call, in order; when any call rejects it waits for the
 * others (they use the same connection) and rejects with the first error.
 *
 * @example
 * const [a, b] = await runSnapshotCalls(store, catalog, schema, ts, [{ fn: listA }, { fn: listB }]);
 */
export async function runSnapshotCalls<T>(
  store: Store,
  catalog: Catalog,
  schema: SchemaState,
  ts: bigint,
  calls: readonly ReadCall<T>[],
): Promise<ReadResult<T>[]> {
  if (calls.length === 1) return [await runOne(store, catalog, schema, ts, calls[0]!)];
  const settled = await Promise.allSettled(calls.map((call) => runOne(store, catalog, schema, ts, call)));
  const results: ReadResult<T>[] = [];
  for (const outcome of settled) {
    if (outcome.status === "rejected") throw outcome.reason;
    results.push(outcome.value);
  }
  return results;
}

async function runOne<T>(store: Store, catalog: Catalog, schema: SchemaState, ts: bigint, call: ReadCall<T>): Promise<ReadResult<T>> {
  const readSet = new ReadSetBuilder();
  const tx = new TxState(store, catalog, schema, "read", ts, readSet);
  tx.journalEndCursor = call.options?.paginationEndCursor;
  const db = new Reader(tx, call.options?.system === true ? EVERYTHING : USER_ONLY);
  try {
    const result = await call.fn({ db: db as unknown as ReadTransaction["db"], ts });
    const out: ReadResult<T> = { result, readSet: readSet.build(), ts };
    if (tx.paginationEndCursor !== undefined) out.paginationEndCursor = tx.paginationEndCursor;
    return out;
  } finally {
    tx.finish();
  }
}
