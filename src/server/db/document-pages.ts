// Reading a whole table through any engine's `Store`, a page at a time: schema installs check
// and backfill with it, exports write with it. Each page is one keyset query on the table's
// `by_creation_time` index, so nothing stays open between pages and the caller may write, or
// await, before asking for the next one.

import type { Store } from "./engine.js";
import { keySuccessor, prefixEnd } from "./keys.js";

/**
 * Every document of a table as pages of stored JSON, in `_creationTime` order.
 *
 * @example
 * for await (const page of documentPages(store, table.byCreationTime.id, 1000)) for (const json of page) visit(json);
 */
export async function* documentPages(store: Store, byCreationTimeIndex: number, pageSize: number): AsyncGenerator<string[]> {
  let low: Uint8Array = new Uint8Array(0);
  const high = prefixEnd(low);
  for (;;) {
    const rows = await store.scanPage({ indexId: byCreationTimeIndex, low, high, order: "asc", limit: pageSize });
    if (rows.length > 0) yield rows.map((row) => row.json);
    if (rows.length < pageSize) return;
    low = keySuccessor(new Uint8Array(rows[rows.length - 1]!.key));
  }
}
