// Loading a snapshot into the SQLite database, inside the caller's BEGIN IMMEDIATE: the user
// tables are replaced by the snapshot's, and every document goes in with its own id and
// `_creationTime` and its entries in every index of its table. The caller commits only when the
// whole source was read without an error, so a bad snapshot leaves the database as it was.

import { decodeValue } from "../../values/encoding.js";
import { tableOfId } from "../../values/id.js";
import { tableNameProblem } from "../../values/limits.js";
import { isPlainObject } from "../../values/value.js";
import { BY_CREATION_TIME, BY_ID, type Catalog, type IndexInfo } from "./catalog.js";
import { entryKeys } from "./special-indexes.js";
import { nextTimestamp } from "./clock.js";
import { saveShapes } from "./schema-install.js";
import type { Connection } from "./sqlite.js";
import { insertDocumentRow, insertEntry } from "./store.js";
import { DatabaseNotEmptyError, type LoadedSnapshot, type SnapshotLoad, type SnapshotTable } from "./types.js";
import { prepareDocument, type Document, type SchemaState, type TableShape } from "./validation.js";

/** What a load needs of the database. */
export interface LoadContext {
  readonly conn: Connection;
  readonly catalog: Catalog;
  /** This version's system tables: the snapshot's rows of them are checked against these. */
  readonly system: ReadonlyMap<string, TableShape>;
  /** The last committed timestamp: the load commits after it, and after the snapshot's. */
  readonly lastTs: bigint;
  /** How messages name the database. */
  readonly name: string;
}

interface LoadTable {
  readonly id: number;
  readonly indexes: readonly IndexInfo[];
}

const IS_USER_TABLE = "substr(name, 1, 1) <> '_'";

/**
 * Loads `load` on `ctx.conn`, which is inside a write transaction the caller commits (with the
 * returned timestamp as the last one) or rolls back.
 *
 * @example
 * conn.run("BEGIN IMMEDIATE");
 * const { ts } = await loadSnapshotRows({ conn, catalog, system, lastTs, name: file }, load);
 * writeLastTs(conn, ts); conn.run("COMMIT"); catalog.reload(conn);
 */
export async function loadSnapshotRows(ctx: LoadContext, load: SnapshotLoad): Promise<LoadedSnapshot> {
  const { conn } = ctx;
  const holdsDocuments = conn.statement("SELECT EXISTS (SELECT 1 FROM documents)").pluck().get() === 1;
  if (holdsDocuments && !load.replace) throw new DatabaseNotEmptyError(`The database ${ctx.name}`);
  clearDatabase(conn);
  saveShapes(conn, "user", load.userSchema);
  const tables = new Map<string, LoadTable>();
  for (const table of load.tables) {
    if (tables.has(table.name)) throw new Error(`The snapshot declares table "${table.name}" twice.`);
    tables.set(table.name, table.name.startsWith("_") ? systemTable(ctx, table.name) : createUserTable(ctx, table));
  }

  const schema: SchemaState = { user: undefined, system: ctx.system };
  let documents = 0;
  let newestCreation = 0;
  for await (const { table, value } of load.documents) {
    const target = tables.get(table);
    if (target === undefined) throw new Error(`A document of table "${table}", which the snapshot does not declare.`);
    if (!isPlainObject(value)) throw new Error(`A document of table "${table}" is not an object.`);
    const document = decodeValue(value, "document") as Document;
    const id = document._id;
    if (typeof id !== "string" || tableOfId(id) !== table) throw new Error(`A document of table "${table}" has the _id ${JSON.stringify(id)}, which is not an id of that table.`);
    const creation = document._creationTime;
    if (typeof creation !== "number" || !Number.isFinite(creation) || creation < 0) {
      throw new Error(`Document ${id} has no valid _creationTime (${JSON.stringify(value._creationTime)}).`);
    }
    const json = prepareDocument(schema, table, document);
    try {
      insertDocumentRow(conn, id, target.id, json);
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new Error(`Document ${id} appears twice.`);
      throw error;
    }
    for (const index of target.indexes) for (const key of entryKeys(index, document)) insertEntry(conn, index.id, key, id);
    if (creation > newestCreation) newestCreation = creation;
    documents++;
  }
  await load.beforeCommit?.();
  // Above the source's last commit and every creation time it loaded (in nanoseconds), so the
  // commits after the load keep increasing - as the source's would have.
  let floor = ctx.lastTs > load.ts ? ctx.lastTs : load.ts;
  const creationNs = BigInt(Math.ceil(newestCreation)) * 1_000_000n;
  if (creationNs > floor) floor = creationNs;
  return { documents, ts: nextTimestamp(floor) };
}

/** Removes every document and index entry, and the user tables with their indexes (system tables stay). */
function clearDatabase(conn: Connection): void {
  conn.run("DELETE FROM index_entries");
  conn.run("DELETE FROM documents");
  conn.run(`DELETE FROM indexes WHERE table_id IN (SELECT id FROM tables WHERE ${IS_USER_TABLE})`);
  conn.run(`DELETE FROM tables WHERE ${IS_USER_TABLE}`);
}

/** A system table of the snapshot: it must be one of this version's (whose indexes it gets). */
function systemTable(ctx: LoadContext, name: string): LoadTable {
  const info = ctx.catalog.peek(name);
  if (info === undefined || !info.persisted || !ctx.system.has(name)) {
    throw new Error(`The snapshot holds the system table "${name}", which this version of Syncline does not have.`);
  }
  return { id: info.id, indexes: [...info.indexes.values()] };
}

/** Writes a user table's rows and its indexes' rows under fresh ids. */
function createUserTable(ctx: LoadContext, table: SnapshotTable): LoadTable {
  const problem = tableNameProblem(table.name);
  if (problem !== undefined) throw new Error(`The snapshot declares an invalid table: ${problem}.`);
  const id = ctx.catalog.newTableId();
  ctx.conn.statement("INSERT INTO tables (id, name) VALUES (?, ?)").run(id, table.name);
  const indexes = [
    ctx.catalog.newIndex(table.name, BY_ID, [], 0n),
    ctx.catalog.newIndex(table.name, BY_CREATION_TIME, ["_creationTime"], 0n),
    ...table.indexes.map((index) => ctx.catalog.newIndex(table.name, index.name, index.fields, 0n)),
  ];
  for (const index of indexes) {
    try {
      ctx.conn.statement("INSERT INTO indexes (id, table_id, name, fields) VALUES (?, ?, ?, ?)").run(index.id, id, index.name, JSON.stringify(index.fields));
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") throw new Error(`The snapshot declares index "${index.name}" of table "${table.name}" twice.`);
      throw error;
    }
  }
  return { id, indexes };
}
