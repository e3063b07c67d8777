// `ctx.vectorSearch` of actions: one read transaction (a consistent snapshot) that runs the
// search through the database's vector index.

import { VECTOR_SEARCH, type Reader } from "../db/reader.js";
import type { Database } from "../db/types.js";
import type { VectorSearchQuery, VectorSearchResult } from "../db/vector-search.js";

/**
 * Runs one vector search for an action.
 *
 * @example
 * const results = await actionVectorSearch(db, "foods", "by_embedding", { vector, limit: 5 });
 */
export async function actionVectorSearch(db: Database, table: unknown, index: unknown, query: unknown): Promise<VectorSearchResult[]> {
  if (typeof table !== "string") throw new TypeError(`ctx.vectorSearch(table, index, query): table must be a table name, got ${typeof table}.`);
  if (typeof index !== "string") throw new TypeError(`ctx.vectorSearch("${table}", index, query): index must be a vector index name, got ${typeof index}.`);
  const { result } = await db.read((tx) => (tx.db as unknown as Reader)[VECTOR_SEARCH](table, index, query as VectorSearchQuery));
  return result;
}
