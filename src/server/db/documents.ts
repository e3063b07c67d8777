// Storing and removing documents together with their entries in every index of their table,
// recording each old and new key in the transaction's write set.

import { decodeValue } from "../../values/encoding.js";
import type { JSONValue } from "../../values/value.js";
import { indexKey, type TableInfo } from "./catalog.js";
import { compareKeys } from "./keys.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

/**
 * Turns stored JSON back into a document (a fresh object each time, so callers may mutate it).
 *
 * @example
 * decodeDocument('{"_id":"t_...","n":{"$integer":"AQAAAAAAAAA="}}') // { _id: "t_...", n: 1n }
 */
export function decodeDocument(json: string): Document {
  return decodeValue(JSON.parse(json) as JSONValue, "document") as Document;
}

function touch(tx: TxState, table: TableInfo): void {
  if (!table.persisted && !tx.touchedTables.has(table)) tx.track(tx.store.persistTable(table));
  tx.touchedTables.add(table);
  tx.writeVersion++;
}

/** Stores a new document and its index entries. */
export function storeNewDocument(tx: TxState, table: TableInfo, document: Document, json: string): void {
  touch(tx, table);
  const id = document._id as string;
  tx.track(tx.store.insertDocument(id, table.id, json));
  for (const index of table.indexes.values()) {
    const key = indexKey(index, document);
    tx.track(tx.store.insertEntry(index.id, key, id));
    tx.writes.push({ indexId: index.id, key });
  }
}

/**
 * Replaces a stored document, moving its index entries whose key changed. Unchanged keys still
 * go into the write set: readers of that key saw the old content.
 */
export function storeChangedDocument(tx: TxState, table: TableInfo, before: Document, after: Document, json: string): void {
  touch(tx, table);
  const id = after._id as string;
  tx.track(tx.store.updateDocument(id, json));
  for (const index of table.indexes.values()) {
    const oldKey = indexKey(index, before);
    const newKey = indexKey(index, after);
    if (compareKeys(oldKey, newKey) === 0) {
      tx.writes.push({ indexId: index.id, key: newKey });
      continue;
    }
    tx.track(tx.store.deleteEntry(index.id, oldKey));
    tx.track(tx.store.insertEntry(index.id, newKey, id));
    tx.writes.push({ indexId: index.id, key: oldKey }, { indexId: index.id, key: newKey });
  }
}

/** Removes a stored document and its index entries. */
export function removeDocument(tx: TxState, table: TableInfo, before: Document): void {
  touch(tx, table);
  const id = before._id as string;
  tx.track(tx.store.deleteDocument(id));
  for (const index of table.indexes.values()) {
    const key = indexKey(index, before);
    tx.track(tx.store.deleteEntry(index.id, key));
    tx.writes.push({ indexId: index.id, key });
  }
}
