// Opening the PostgreSQL engine: the driver (loaded only here, so a client bundle never sees it),
// the writer connection that takes the owner lock, the layout, the built-in system tables, the
// catalog, and the read pool. Every failure is one line naming host, port and database.

import { Catalog, type IndexRow, type TableRow } from "../catalog.js";
import type { OpenDatabaseOptions } from "../index.js";
import { redactUrl } from "../location.js";
import { installTables } from "../schema-install.js";
import type { SchemaState } from "../validation.js";
import { PostgresDatabase, type PostgresSettings } from "./database.js";
import { DatabaseOpenError, describeTarget, openFailure, targetOf, type Target } from "./errors.js";
import { LAYOUT, OWNER_LOCK, TABLES } from "./layout.js";
import { loadShapes, saveShapes } from "./meta.js";
import { inTransaction, ReconnectingSession, type Queryable } from "./session.js";
import { PostgresStore, readLastTs, send } from "./store.js";

/** `openDatabase` options for a Postgres URL. */
export interface OpenPostgresOptions extends OpenDatabaseOptions {
  url: string;
}

const DEFAULT_READERS = 8;
const DEFAULTS: PostgresSettings = { reconnectTimeoutMs: 30_000, commitLogRetentionMs: 10 * 60_000 };

/** Refuses a database whose public tables are not all ours: it belongs to another program. */
async function checkOwnTables(sql: Queryable, target: Target): Promise<void> {
  const rows = await send<{ name: string }>(sql, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()", []);
  const ours = new Set<string>(TABLES);
  const foreign = rows.map((row) => row.name).filter((name) => !ours.has(name));
  if (foreign.length > 0) {
    const listed = foreign.slice(0, 3).map((name) => `"${name}"`).join(", ");
    throw new DatabaseOpenError(
      `Refusing to use ${describeTarget(target)}: it holds tables of another program (${listed}${foreign.length > 3 ? ", ..." : ""}). Give Syncline a database of its own.`,
    );
  }
}

/**
 * Opens (creating its tables in) a Postgres database. One server at a time: a second one on the
 * same database is refused while the first holds the owner lock.
 *
 * @example
 * const db = await openPostgresDatabase({ path: url, url, systemTables });
 */
export async function openPostgresDatabase(options: OpenPostgresOptions): Promise<PostgresDatabase> {
  const target = targetOf(options.url);
  const { default: driver } = await import("pg");
  const config = { connectionString: options.url, application_name: "syncline", connectionTimeoutMillis: 10_000, keepAlive: true, pipeline: true };
  // The writer: one connection whose session holds the owner lock.
  const writer = new ReconnectingSession(async () => {
    const client = new driver.Client(config);
    client.on("error", () => undefined); // reported through the statements that fail
    await client.connect();
    return client;
  });
  const maxReaders = options.maxReaders ?? DEFAULT_READERS;
  const pool = new driver.Pool({ ...config, max: maxReaders, idleTimeoutMillis: 30_000 });
  pool.on("error", () => undefined); // an idle pooled connection that breaks is simply replaced
  try {
    let pid: number;
    try {
      const rows = await send<{ locked: boolean; pid: number }>(writer, "SELECT pg_try_advisory_lock($1) AS locked, pg_backend_pid() AS pid", [OWNER_LOCK.toString()]);
      if (rows[0]?.locked !== true) {
        throw new DatabaseOpenError(`Another Syncline server is already using ${describeTarget(target)}. Stop it first, or give this server its own database.`);
      }
      pid = rows[0].pid;
      await checkOwnTables(writer, target);
    } catch (error) {
      throw error instanceof DatabaseOpenError ? error : openFailure(error, target);
    }
    await writer.query(LAYOUT, []);
    const system = new Map(Object.entries(options.systemTables ?? {}));
    const schema: SchemaState = { user: undefined, system };
    // System tables are installed before anything can read, so new indexes are ready at once.
    const catalog = await inTransaction(writer, async (tx) => {
      const tables = await send<TableRow>(tx, "SELECT id, name FROM syncline_tables", []);
      const indexes = await send<IndexRow>(tx, "SELECT id, table_id, name, fields FROM syncline_indexes", []);
      const loaded = Catalog.load(tables, indexes);
      const outcome = await installTables(new PostgresStore(tx), loaded, {
        scope: "system",
        tables: system,
        validate: true,
        state: schema,
        previous: await loadShapes(tx, "system"),
        readyTs: 0n,
      });
      await saveShapes(tx, "system", outcome.shapes);
      return { loaded, outcome };
    });
    catalog.outcome.apply();
    const lastTs = await readLastTs(writer);
    const settings = { ...DEFAULTS, ...definedOnly(options) };
    return new PostgresDatabase(pool, writer, catalog.loaded, schema, lastTs, pid, target, settings, maxReaders, redactUrl(options.url));
  } catch (error) {
    await Promise.all([writer.end(), pool.end()]).catch(() => {});
    throw error;
  }
}

function definedOnly(options: Partial<PostgresSettings>): Partial<PostgresSettings> {
  const out: Partial<PostgresSettings> = {};
  if (options.reconnectTimeoutMs !== undefined) out.reconnectTimeoutMs = options.reconnectTimeoutMs;
  if (options.commitLogRetentionMs !== undefined) out.commitLogRetentionMs = options.commitLogRetentionMs;
  return out;
}
