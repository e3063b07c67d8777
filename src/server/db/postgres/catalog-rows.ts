// The committed catalog as a node that did not write it catches up with it: a follower (or a
// node being promoted) reads the catalog rows, learns which of a schema's indexes the leader
// has not installed yet, and renames the writes of commits made under reserved table ids.

import type { Catalog, IndexRow, TableRow } from "../catalog.js";
import type { SchemaRequest } from "../database-common.js";
import { indexDefinitionsOf } from "../special-index-install.js";
import type { Commit } from "../types.js";
import { send, type Queryable } from "./store.js";

/**
 * The committed catalog rows.
 *
 * @example
 * const { tables, indexes } = await readCatalogRows(tx);
 * catalog.refresh(tables, indexes);
 */
export async function readCatalogRows(conn: Queryable): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
  const [tables, indexes] = await Promise.all([
    send<TableRow>(conn, "SELECT id, name FROM syncline_tables", []),
    send<IndexRow>(conn, "SELECT id, table_id, name, fields FROM syncline_indexes", []),
  ]);
  return { tables, indexes };
}

/**
 * `table.index` names of a schema's tables the catalog does not hold yet.
 *
 * @example
 * missingIndexes(catalog, request.tables) // ["messages.by_body"] until the leader installed it
 */
export function missingIndexes(catalog: Catalog, tables: SchemaRequest["tables"]): string[] {
  const missing: string[] = [];
  for (const [name, shape] of tables) {
    const table = catalog.peek(name);
    if (table === undefined || !table.persisted) {
      missing.push(name);
      continue;
    }
    for (const { name: index } of indexDefinitionsOf(shape)) if (!table.indexes.has(index)) missing.push(`${name}.${index}`);
  }
  return missing;
}

/**
 * A commit whose writes also name the reserved ids of tables that now exist (see `Catalog.refresh`).
 *
 * @example
 * const aliases = catalog.refresh(rows.tables, rows.indexes);
 * for (const commit of commits) publish(aliases.size === 0 ? commit : withAliases(commit, aliases));
 */
export function withAliases(commit: Commit, aliases: ReadonlyMap<number, number>): Commit {
  const writes = [...commit.writeSet.writes];
  for (const write of commit.writeSet.writes) {
    const alias = aliases.get(write.indexId);
    if (alias !== undefined) writes.push({ indexId: alias, key: write.key });
  }
  return Object.freeze({ ts: commit.ts, writeSet: Object.freeze({ writes: Object.freeze(writes) }) });
}
