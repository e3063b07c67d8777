// The tables and indexes the database knows, in memory, with their numeric ids.
//
// Ids are handed out here, not by SQLite, because a query may read a table that does not exist
// yet: its read set must name the `by_id`/`by_creation_time` index ids the first insert will
// use, or that insert would never invalidate the query. So a table seen for the first time gets
// ids reserved in memory at once, and its rows in `tables`/`indexes` are written by the first
// write transaction that touches it (`Store.persistTable`).

import type { Value } from "../../values/value.js";
import { encodeKey } from "./keys.js";

/** One index of one table. */
export interface IndexInfo {
  readonly id: number;
  readonly table: string;
  readonly name: string;
  /** The fields the user declared (empty for `by_id`, `["_creationTime"]` for `by_creation_time`). */
  readonly fields: readonly string[];
  /** Every field of the key, in order: declared fields, then `_creationTime`, then `_id`. */
  readonly keyFields: readonly string[];
  /** Reads at a snapshot older than this cannot use the index (it was built after). */
  readonly readyTs: bigint;
}

/** One table: its id and indexes. */
export interface TableInfo {
  readonly name: string;
  readonly id: number;
  readonly byId: IndexInfo;
  readonly byCreationTime: IndexInfo;
  /** Every index by name, built-in ones included. */
  indexes: Map<string, IndexInfo>;
  /** True once its rows in `tables` and `indexes` are committed. */
  persisted: boolean;
}

export const BY_ID = "by_id";
export const BY_CREATION_TIME = "by_creation_time";

/** The key fields of an index over `fields`. */
export function keyFieldsOf(name: string, fields: readonly string[]): string[] {
  if (name === BY_ID) return ["_id"];
  if (name === BY_CREATION_TIME) return ["_creationTime", "_id"];
  return [...fields, "_creationTime", "_id"];
}

/** The value at a dotted path of a document; undefined when any step is missing or not an object. */
export function valueAtPath(document: Record<string, Value | undefined>, path: string): Value | undefined {
  if (!path.includes(".")) return Object.hasOwn(document, path) ? document[path] : undefined;
  let current: Value | undefined = document;
  for (const step of path.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current) || current instanceof ArrayBuffer) return undefined;
    current = Object.hasOwn(current, step) ? (current as Record<string, Value | undefined>)[step] : undefined;
  }
  return current;
}

/**
 * A document's key in `index`.
 *
 * @example
 * indexKey(byRoom, { _id, _creationTime: 1, room: "a" }) // encodeKey(["a", 1, _id])
 */
export function indexKey(index: IndexInfo, document: Record<string, Value | undefined>): Uint8Array {
  const values = index.keyFields.map((field) => valueAtPath(document, field));
  return encodeKey(values);
}

/** A row of the engine's `tables` catalog table. */
export interface TableRow {
  id: number;
  name: string;
}
/** A row of the engine's `indexes` catalog table (`fields` is JSON). */
export interface IndexRow {
  id: number;
  table_id: number;
  name: string;
  fields: string;
}

/** Every table and index, loaded at open and kept in step with commits. */
export class Catalog {
  private readonly tables = new Map<string, TableInfo>();
  private nextTableId = 1;
  private nextIndexId = 1;

  /**
   * Builds the catalog from the committed catalog rows of any engine.
   *
   * @example
   * const catalog = Catalog.load(tableRows, indexRows);
   */
  static load(tables: readonly TableRow[], indexes: readonly IndexRow[]): Catalog {
    const catalog = new Catalog();
    const byTable = new Map<number, IndexInfo[]>();
    const names = new Map(tables.map((row) => [row.id, row.name]));
    for (const row of indexes) {
      const table = names.get(row.table_id);
      catalog.nextIndexId = Math.max(catalog.nextIndexId, row.id + 1);
      if (table === undefined) continue;
      const fields = JSON.parse(row.fields) as string[];
      const info: IndexInfo = { id: row.id, table, name: row.name, fields, keyFields: keyFieldsOf(row.name, fields), readyTs: 0n };
      byTable.set(row.table_id, [...(byTable.get(row.table_id) ?? []), info]);
    }
    for (const row of tables) {
      catalog.nextTableId = Math.max(catalog.nextTableId, row.id + 1);
      const list = byTable.get(row.id) ?? [];
      const byId = list.find((index) => index.name === BY_ID);
      const byCreationTime = list.find((index) => index.name === BY_CREATION_TIME);
      if (byId === undefined || byCreationTime === undefined) throw new Error(`database is damaged: table "${row.name}" lacks its built-in indexes`);
      const info: TableInfo = { name: row.name, id: row.id, byId, byCreationTime, indexes: new Map(), persisted: true };
      for (const index of list) info.indexes.set(index.name, index);
      catalog.tables.set(row.name, info);
    }
    return catalog;
  }

  /**
   * Replaces what this catalog knows with what is committed (after a load rewrote the tables).
   * Ids keep growing: one handed out before is never handed out again.
   */
  reload(tables: readonly TableRow[], indexes: readonly IndexRow[]): void {
    const fresh = Catalog.load(tables, indexes);
    this.tables.clear();
    for (const [name, info] of fresh.tables) this.tables.set(name, info);
    this.nextTableId = Math.max(this.nextTableId, fresh.nextTableId);
    this.nextIndexId = Math.max(this.nextIndexId, fresh.nextIndexId);
  }

  /**
   * A follower's reload: what is committed replaces what was known, but tables this node only
   * reserved (read before they existed) and that still do not exist stay reserved. Returns, for
   * reserved tables that now exist under other ids, committed index id -> reserved index id:
   * commits writing those must also invalidate reads recorded under the reserved ids.
   *
   * @example
   * const aliases = catalog.refresh(tableRows, indexRows);
   */
  refresh(tables: readonly TableRow[], indexes: readonly IndexRow[]): Map<number, number> {
    const reserved = [...this.tables.values()].filter((table) => !table.persisted);
    this.reload(tables, indexes);
    const aliases = new Map<number, number>();
    for (const table of reserved) {
      const committed = this.tables.get(table.name);
      if (committed === undefined) {
        this.tables.set(table.name, table);
        continue;
      }
      for (const [name, index] of table.indexes) {
        const now = committed.indexes.get(name);
        if (now !== undefined && now.id !== index.id) aliases.set(now.id, index.id);
      }
    }
    return aliases;
  }

  /** The ids of every index of every known table. */
  indexIds(): Set<number> {
    const ids = new Set<number>();
    for (const table of this.tables.values()) for (const index of table.indexes.values()) ids.add(index.id);
    return ids;
  }

  /** A fresh table id, for a table whose rows the caller writes itself (a load). */
  newTableId(): number {
    return this.nextTableId++;
  }

  /** The table if it is known (persisted or reserved). */
  peek(name: string): TableInfo | undefined {
    return this.tables.get(name);
  }

  /** The table, reserving ids for it when it was never seen. */
  table(name: string): TableInfo {
    let info = this.tables.get(name);
    if (info === undefined) {
      const id = this.nextTableId++;
      const byId = this.newIndex(name, BY_ID, [], 0n);
      const byCreationTime = this.newIndex(name, BY_CREATION_TIME, ["_creationTime"], 0n);
      info = { name, id, byId, byCreationTime, indexes: new Map([[BY_ID, byId], [BY_CREATION_TIME, byCreationTime]]), persisted: false };
      this.tables.set(name, info);
    }
    return info;
  }

  /** A fresh index id (not yet in any table's map; `setSchema` adds it after its commit). */
  newIndex(table: string, name: string, fields: readonly string[], readyTs: bigint): IndexInfo {
    return { id: this.nextIndexId++, table, name, fields: [...fields], keyFields: keyFieldsOf(name, fields), readyTs };
  }

  /** Every known table. */
  all(): IterableIterator<TableInfo> {
    return this.tables.values();
  }
}
