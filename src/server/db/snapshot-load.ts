// Loading a snapshot inside the caller's write transaction, on either engine: the user tables
// are replaced by the snapshot's, and every document goes in with its own id and
// `_creationTime` and its entries in every index of its table. The caller commits only when the
// whole source was read without an error, so a bad snapshot leaves the database as it was.
// Writes an engine answers later (Postgres pipelines them) are awaited every LOAD_BATCH
// documents, so a refused document fails the load close to where it was read.

import { decodeValue } from "../../values/encoding.js";
import { tableOfId } from "../../values/id.js";
import { tableNameProblem } from "../../values/limits.js";
import { isPlainObject } from "../../values/value.js";
import type { BlobStore } from "../storage/blob-store.js";
import { BY_CREATION_TIME, BY_ID, type Catalog, type IndexInfo } from "./catalog.js";
import { entryKeys } from "./special-indexes.js";
import { nextTimestamp } from "./clock.js";
import { isPromise, type MaybePromise, type Store } from "./engine.js";
import type { InstalledShapes } from "./schema-install.js";
import { DatabaseNotEmptyError, DocumentRefusedError, type LoadedSnapshot, type SnapshotLoad, type SnapshotTable } from "./types.js";
import { prepareDocument, type Document, type SchemaState, type TableShape } from "./validation.js";

/** What a load asks of the engine, inside its open write transaction. */
export interface LoadTarget {
  /** Row writes (documents, index entries, index catalog rows). */
  readonly store: Store;
  /** True when any table holds a document. */
  holdsDocuments(): MaybePromise<boolean>;
  /** Removes every document and index entry, and the user tables with their indexes (system tables stay). */
  clear(): MaybePromise<void>;
  /** Records the installed user schema (or none). */
  saveUserSchema(shapes: InstalledShapes | undefined): MaybePromise<void>;
  /** Adds a table's catalog row. */
  insertTable(id: number, name: string): MaybePromise<void>;
  /** True when `error` is the engine refusing a second document with the same id. */
  isDuplicateId(error: unknown): boolean;
}

/** What a load needs of the database. */
export interface LoadContext {
  readonly target: LoadTarget;
  readonly catalog: Catalog;
  /** This version's system tables: the snapshot's rows of them are checked against these. */
  readonly system: ReadonlyMap<string, TableShape>;
  /** The last committed timestamp: the load commits after it, and after the snapshot's. */
  readonly lastTs: bigint;
  /** How messages name the database ("The database data.sqlite"). */
  readonly what: string;
  /** Where file contents go inside this transaction, when the engine keeps them itself. */
  readonly files: BlobStore | undefined;
}

interface LoadTable {
  readonly id: number;
  readonly indexes: readonly IndexInfo[];
}

/** Documents whose pipelined writes may be in flight at once. */
const LOAD_BATCH = 500;

/**
 * Loads `load` through `ctx.target`, which is inside a write transaction the caller commits (with
 * the returned timestamp as the last one) or rolls back.
 *
 * @example
 * const { ts } = await loadSnapshotRows({ target, catalog, system, lastTs, what: `The database ${file}`, files: undefined }, load);
 */
export async function loadSnapshotRows(ctx: LoadContext, load: SnapshotLoad): Promise<LoadedSnapshot> {
  const { target } = ctx;
  if ((await target.holdsDocuments()) && !load.replace) throw new DatabaseNotEmptyError(ctx.what);
  await target.clear();
  await target.saveUserSchema(load.userSchema);
  const tables = new Map<string, LoadTable>();
  for (const table of load.tables) {
    if (tables.has(table.name)) throw new Error(`The snapshot declares table "${table.name}" twice.`);
    tables.set(table.name, table.name.startsWith("_") ? systemTable(ctx, table.name) : await createUserTable(ctx, table));
  }

  const schema: SchemaState = { user: undefined, system: ctx.system };
  const pending = new PendingWrites(target);
  let documents = 0;
  let newestCreation = 0;
  for await (const { table, value, line } of load.documents(ctx.files)) {
    const into = tables.get(table);
    if (into === undefined) throw new Error(`A document of table "${table}", which the snapshot does not declare.`);
    if (!isPlainObject(value)) throw new Error(`A document of table "${table}" is not an object.`);
    const document = decodeValue(value, "document") as Document;
    const id = document._id;
    if (typeof id !== "string" || tableOfId(id) !== table) throw new Error(`A document of table "${table}" has the _id ${JSON.stringify(id)}, which is not an id of that table.`);
    const creation = document._creationTime;
    if (typeof creation !== "number" || !Number.isFinite(creation) || creation < 0) {
      throw new Error(`Document ${id} has no valid _creationTime (${JSON.stringify(value._creationTime)}).`);
    }
    const json = prepareDocument(schema, table, document);
    const source = { id, line };
    pending.add(source, () => target.store.insertDocument(id, into.id, json));
    for (const index of into.indexes) pending.add(source, () => target.store.insertEntries(index.id, entryKeys(index, document), id));
    if (creation > newestCreation) newestCreation = creation;
    if (++documents % LOAD_BATCH === 0) await pending.settled();
  }
  await pending.settled();
  await load.beforeCommit?.();
  // Above the source's last commit and every creation time it loaded (in nanoseconds), so the
  // commits after the load keep increasing - as the source's would have.
  let floor = ctx.lastTs > load.ts ? ctx.lastTs : load.ts;
  const creationNs = BigInt(Math.ceil(newestCreation)) * 1_000_000n;
  if (creationNs > floor) floor = creationNs;
  return { documents, ts: nextTimestamp(floor) };
}

/** Writes of documents that may still be in flight, each failure named after its document. */
class PendingWrites {
  private writes: Promise<void>[] = [];

  constructor(private readonly target: LoadTarget) {}

  add(source: WriteSource, write: () => MaybePromise<void>): void {
    let result: MaybePromise<void>;
    try {
      result = write();
    } catch (error) {
      throw this.named(error, source);
    }
    if (!isPromise(result)) return;
    const named = result.catch((error: unknown) => Promise.reject(this.named(error, source)));
    named.catch(() => {}); // awaited in `settled`; until then its failure is not unhandled
    this.writes.push(named);
  }

  async settled(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    await Promise.all(writes);
  }

  private named(error: unknown, source: WriteSource): unknown {
    return this.target.isDuplicateId(error) ? new DocumentRefusedError(`Document ${source.id} appears twice.`, source.line) : error;
  }
}

/** The document a write belongs to. */
interface WriteSource {
  readonly id: string;
  readonly line: number | undefined;
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
async function createUserTable(ctx: LoadContext, table: SnapshotTable): Promise<LoadTable> {
  const problem = tableNameProblem(table.name);
  if (problem !== undefined) throw new Error(`The snapshot declares an invalid table: ${problem}.`);
  const names = new Set<string>([BY_ID, BY_CREATION_TIME]);
  for (const index of table.indexes) {
    if (names.has(index.name)) throw new Error(`The snapshot declares index "${index.name}" of table "${table.name}" twice.`);
    names.add(index.name);
  }
  const id = ctx.catalog.newTableId();
  await ctx.target.insertTable(id, table.name);
  const indexes = [
    ctx.catalog.newIndex(table.name, BY_ID, [], 0n),
    ctx.catalog.newIndex(table.name, BY_CREATION_TIME, ["_creationTime"], 0n),
    ...table.indexes.map((index) => ctx.catalog.newIndex(table.name, index.name, index.fields, 0n)),
  ];
  await Promise.all(indexes.map((index) => ctx.target.store.insertIndex(id, index.id, index.name, index.fields)));
  return { id, indexes };
}
