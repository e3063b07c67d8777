// `ctx.db` for reading: get, query, normalizeId and `db.system`. Which tables a view may read
// is its `Access`: user code reads user tables through `db` and system tables through `db.system`.

import { tableOfId } from "../../values/id.js";
import { tableNameProblem } from "../../values/limits.js";
import { decodeDocument } from "./document-decode.js";
import { encodeKey } from "./keys.js";
import { QueryImpl } from "./query.js";
import { isPromise, type MaybePromise } from "./engine.js";
import type { TxState } from "./transaction.js";
import type { Document } from "./validation.js";
import { vectorSearch, type VectorSearchQuery, type VectorSearchResult } from "./vector-search.js";

/** The runtime's way to `ctx.vectorSearch` (actions only: not a method user code sees on `ctx.db`). */
export const VECTOR_SEARCH = Symbol("syncline.vectorSearch");

/** Which tables a view may touch. */
export interface Access {
  readonly user: boolean;
  readonly system: boolean;
}

export const USER_ONLY: Access = { user: true, system: false };
export const SYSTEM_ONLY: Access = { user: false, system: true };
export const EVERYTHING: Access = { user: true, system: true };

/** The reading half of `ctx.db`. */
export class Reader {
  private systemView: Reader | undefined;

  constructor(
    protected readonly tx: TxState,
    protected readonly access: Access,
  ) {}

  /** Throws unless this view may read `table`. */
  protected checkReadable(table: string): void {
    const problem = tableNameProblem(table, true);
    if (problem !== undefined) throw new Error(`Invalid table name: ${problem}.`);
    if (table.startsWith("_")) {
      if (!this.access.system) throw new Error(`Table "${table}" is a system table: read it through db.system.`);
    } else if (!this.access.user) {
      throw new Error(`db.system reads only system tables (names starting with "_"); read "${table}" through db.`);
    }
  }

  /** Resolves the one- and two-argument forms of get/patch/replace/delete to `[table, id]`. */
  protected target(tableOrId: unknown, id: unknown, twoArgs: boolean): [string, string] {
    if (!twoArgs) {
      const table = typeof tableOrId === "string" ? tableOfId(tableOrId) : undefined;
      if (table === undefined) throw new Error(`Invalid document id ${JSON.stringify(tableOrId)}.`);
      return [table, tableOrId as string];
    }
    if (typeof tableOrId !== "string") throw new Error(`Expected a table name, got ${JSON.stringify(tableOrId)}.`);
    if (typeof id !== "string" || tableOfId(id) !== tableOrId) {
      throw new Error(`Id ${JSON.stringify(id)} is not an id of table "${tableOrId}".`);
    }
    return [tableOrId, id];
  }

  /**
   * A document by id, or null. Records the id's key in the read set even when it is missing.
   *
   * @example
   * await db.get(id); await db.get("messages", id);
   */
  async get(tableOrId: string, id?: string): Promise<Document | null> {
    this.tx.assertOpen();
    const [table, docId] = this.target(tableOrId, id, id !== undefined);
    this.checkReadable(table);
    return readDocument(this.tx, table, docId);
  }

  /**
   * Starts a query on `table`.
   *
   * @example
   * await db.query("messages").withIndex("by_room", (q) => q.eq("room", "a")).take(10)
   */
  query(table: string): QueryImpl {
    this.tx.assertOpen();
    this.checkReadable(table);
    return new QueryImpl(this.tx, this.tx.catalog.table(table));
  }

  /** `id` when it is an id of `table`, else null. */
  normalizeId(table: string, id: string): string | null {
    return typeof id === "string" && tableOfId(id) === table ? id : null;
  }

  /** Vector search on a user table at this transaction's snapshot (see vector-search.ts). */
  [VECTOR_SEARCH](table: string, index: string, query: VectorSearchQuery): Promise<VectorSearchResult[]> {
    this.tx.assertOpen();
    this.checkReadable(table);
    return vectorSearch(this.tx, this.tx.catalog.table(table), index, query);
  }

  /** Read-only access to system tables. */
  get system(): Reader {
    this.systemView ??= new Reader(this.tx, SYSTEM_ONLY);
    return this.systemView;
  }
}

/** Reads one document by id and records the point read on `by_id`. */
export function readDocument(tx: TxState, table: string, id: string): MaybePromise<Document | null> {
  const info = tx.catalog.table(table);
  tx.readSet?.point(info.byId.id, encodeKey([id]));
  const json = tx.store.loadDocumentJson(id);
  return isPromise(json) ? json.then((found) => documentFound(tx, found)) : documentFound(tx, json);
}

function documentFound(tx: TxState, json: string | undefined): Document | null {
  if (json === undefined) return null;
  tx.countRead();
  return decodeDocument(json);
}
