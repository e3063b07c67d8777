// Opening a database whose vector indexes were written before their entries held the vector
// (vector-entries.ts): each such index is rebuilt from its documents, inside the opening
// transaction, before anything reads or writes. Left alone, its entries would be read as
// malformed by a search, and a write would miss the old entry when it deletes the new-format key.

import type { Catalog } from "./catalog.js";
import type { Store } from "./engine.js";
import { prefixEnd } from "./keys.js";
import { forEachDocument } from "./schema-install.js";
import { entryKeys, vectorSpecOf } from "./special-indexes.js";
import { vectorEntryFormat } from "./vector-entries.js";

/**
 * Rebuilds every vector index whose entries are in the old decimal-text format; returns the
 * names ("table.index") of those it rebuilt. An index is converted whole in the caller's
 * transaction, so its first entry tells its format.
 *
 * @example
 * writer.run("BEGIN IMMEDIATE"); await upgradeVectorEntries(writer.store, catalog); writer.run("COMMIT");
 */
export async function upgradeVectorEntries(store: Store, catalog: Catalog): Promise<string[]> {
  const upgraded: string[] = [];
  for (const table of catalog.all()) {
    for (const index of table.indexes.values()) {
      const spec = vectorSpecOf(index);
      if (spec === undefined) continue;
      const low = new Uint8Array(0);
      const [first] = await store.scanKeys({ indexId: index.id, low, high: prefixEnd(low), order: "asc", limit: 1 });
      if (first === undefined || vectorEntryFormat(first, spec.filterFields.length, spec.dimensions) === "float32") continue;
      // Dropping removes every entry; the catalog row goes back unchanged (same id, name and fields).
      await store.dropIndex(index.id);
      await store.insertIndex(table.id, index.id, index.name, index.fields);
      await forEachDocument(store, table, (document) => [store.insertEntries(index.id, entryKeys(index, document), String(document._id))]);
      upgraded.push(`${table.name}.${index.name}`);
    }
  }
  return upgraded;
}
