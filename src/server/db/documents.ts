// Storing and removing documents together with their entries in every index of their table,
// recording each old and new key in the transaction's write set.

import type { TableInfo } from "./catalog.js";
import type { IndexWrite } from "./types.js";
import { compareKeys } from "./keys.js";
import { entryKeys } from "./special-indexes.js";
import { noteVectorWrites } from "./vector-cache.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";

function touch(tx: TxState, table: TableInfo, id: string): void {
  noteVectorWrites(table, id, tx.commitTs);
  if (!table.persisted && !tx.touchedTables.has(table)) tx.track(tx.store.persistTable(table));
  tx.touchedTables.add(table);
  tx.writeVersion++;
}

/** Stores a new document and its index entries. */
export function storeNewDocument(tx: TxState, table: TableInfo, document: Document, json: string): void {
  // Keys first: computing them checks vector dimensions, and a refused write must store nothing.
  // Straight into the write list (no intermediate array of entries: this runs for every insert).
  const written: IndexWrite[] = [];
  for (const index of table.indexes.values()) {
    for (const key of entryKeys(index, document)) written.push({ indexId: index.id, key });
  }
  const id = document._id as string;
  touch(tx, table, id);
  tx.track(tx.store.insertNewDocument(id, table.id, json, written));
  for (const entry of written) tx.writes.push(entry);
}

/**
 * Replaces a stored document, moving its index entries whose key changed. Unchanged keys still
 * go into the write set: readers of that key saw the old content.
 */
export function storeChangedDocument(tx: TxState, table: TableInfo, before: Document, after: Document, json: string): void {
  const entries = [...table.indexes.values()].map((index) => ({ index, oldKeys: entryKeys(index, before), newKeys: entryKeys(index, after) }));
  const id = after._id as string;
  touch(tx, table, id);
  tx.track(tx.store.updateDocument(id, json));
  for (const { index, oldKeys, newKeys } of entries) {
    if (oldKeys.length === 1 && newKeys.length === 1 && compareKeys(oldKeys[0]!, newKeys[0]!) === 0) {
      tx.writes.push({ indexId: index.id, key: newKeys[0]! });
      continue;
    }
    // Several keys per document (search postings): move only the ones that changed, but report
    // all of them, old and new - a search that matched an unchanged term saw the old content.
    const kept = new Set(newKeys.map(keyText));
    const had = new Set(oldKeys.map(keyText));
    for (const key of oldKeys) if (!kept.has(keyText(key))) tx.track(tx.store.deleteEntry(index.id, key));
    const added = newKeys.filter((key) => !had.has(keyText(key)));
    if (added.length > 0) tx.track(tx.store.insertEntries(index.id, added, id));
    for (const key of oldKeys) tx.writes.push({ indexId: index.id, key });
    for (const key of added) tx.writes.push({ indexId: index.id, key });
  }
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

/** Removes a stored document and its index entries. */
export function removeDocument(tx: TxState, table: TableInfo, before: Document): void {
  const id = before._id as string;
  touch(tx, table, id);
  tx.track(tx.store.deleteDocument(id));
  for (const index of table.indexes.values()) {
    for (const key of entryKeys(index, before)) {
      tx.track(tx.store.deleteEntry(index.id, key));
      tx.writes.push({ indexId: index.id, key });
    }
  }
}
