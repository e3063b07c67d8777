// What the row-level store needs of a SQLite connection: its cached prepared statements and
// whether a transaction is open. A type of its own so that store.ts does not import
// connection.ts, which constructs the store (the two would otherwise import each other).

import type BetterSqlite3 from "better-sqlite3";

/** A prepared statement of better-sqlite3. */
export type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * A connection as the store sees it (`Connection` is the one implementation).
 *
 * @example
 * const json = conn.statement("SELECT json FROM documents WHERE id = ?").pluck().get(id);
 */
export interface StatementSource {
  /** The prepared statement for `sql`, prepared once per connection. */
  statement(sql: string): Statement;
  /** Runs a statement without results (`BEGIN`, `COMMIT`, `SAVEPOINT tx`, ...). */
  run(sql: string): void;
  /** True while a transaction is open on the connection. */
  readonly inTransaction: boolean;
}
