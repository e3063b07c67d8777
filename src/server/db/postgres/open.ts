// Opening the PostgreSQL engine: the driver (loaded only here, so a client bundle never sees it),
// the writer connection that tries the owner lock, the read pool; then either the leader's start
// (layout, built-in system tables, a new epoch) or a follower's (the state a leader committed). Every failure is one line naming host, port and database.

import type pg from "pg";
import { Catalog, type IndexRow, type TableRow } from "../catalog.js";
import type { OpenDatabaseOptions } from "../open-options.js";
import { redactUrl } from "../location.js";
import { installTables } from "../schema-install.js";
import { upgradeVectorEntries } from "../vector-entry-upgrade.js";
import type { SchemaState } from "../validation.js";
import { PostgresDatabase, type PostgresSettings } from "./database.js";
import { DatabaseOpenError, describeTarget, openFailure, targetOf, type Target } from "./errors.js";
import { LAYOUT, LAYOUT_LOCK, OWNER_LOCK, TABLES } from "./layout.js";
import { bumpEpoch, readLeader } from "./leader-row.js";
import { loadShapes, saveShapes } from "./meta.js";
import { inTransaction, ReconnectingSession, withPooledSession, type Queryable } from "./session.js";
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
 * Opens (creating its tables in) a Postgres database. Alone (no `cluster` option) a database
 * another server holds is refused; as a cluster node this one then follows that server.
 *
 * @example
 * const db = await openPostgresDatabase({ path: url, url, systemTables });
 */
export async function openPostgresDatabase(options: OpenPostgresOptions): Promise<PostgresDatabase> {
  const target = targetOf(options.url);
  const { default: driver } = await import("pg");
  const config = { connectionString: options.url, application_name: "syncline", connectionTimeoutMillis: 10_000, keepAlive: true, pipeline: true };
  const connectClient = async (applicationName = config.application_name) => {
    const client = new driver.Client({ ...config, application_name: applicationName });
    client.on("error", () => undefined); // reported through the statements that fail
    await client.connect();
    return client;
  };
  // The writer: one connection whose session holds the owner lock (a follower's keeps trying it).
  const writer = new ReconnectingSession(() => connectClient());
  const maxReaders = options.maxReaders ?? DEFAULT_READERS;
  const pool = new driver.Pool({ ...config, max: maxReaders, idleTimeoutMillis: 30_000 });
  pool.on("error", () => undefined); // an idle pooled connection that breaks is simply replaced
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const cluster = options.cluster;
  try {
    let pid: number;
    let leads: boolean;
    try {
      const rows = await send<{ locked: boolean; pid: number }>(writer, "SELECT pg_try_advisory_lock($1) AS locked, pg_backend_pid() AS pid", [OWNER_LOCK.toString()]);
      leads = rows[0]?.locked === true;
      if (!leads && cluster === undefined) {
        throw new DatabaseOpenError(`Another Syncline server is already using ${describeTarget(target)}. Stop it first, or give this server its own database.`);
      }
      pid = rows[0]!.pid;
      await checkOwnTables(writer, target);
    } catch (error) {
      throw error instanceof DatabaseOpenError ? error : openFailure(error, target);
    }
    const system = new Map(Object.entries(options.systemTables ?? {}));
    const schema: SchemaState = { user: undefined, system };
    const membership = (role: "leader" | "follower") =>
      cluster === undefined
        ? undefined
        : { nodeId: cluster.nodeId, role, connectListener: () => connectClient(`syncline listen ${cluster.nodeId}`.slice(0, 63)), pollMs: cluster.pollMs ?? 250, electionMs: cluster.electionMs ?? 500 };
    let database: PostgresDatabase;
    if (leads) {
      const { catalog, lastTs, epoch } = await openAsLeader(writer, schema, cluster?.nodeId ?? "");
      database = new PostgresDatabase(pool, writer, catalog, schema, lastTs, pid, target, settings, maxReaders, redactUrl(options.url), epoch, membership("leader"));
    } else {
      const { catalog, lastTs, epoch } = await openAsFollower(pool, target, settings.reconnectTimeoutMs);
      database = new PostgresDatabase(pool, writer, catalog, schema, lastTs, 0, target, settings, maxReaders, redactUrl(options.url), epoch, membership("follower"));
    }
    await database.cluster?.start();
    return database;
  } catch (error) {
    await Promise.all([writer.end(), pool.end()]).catch(() => {});
    throw error;
  }
}

/**
 * The lock holder's start: the layout (nodes starting together on an empty database wait for
 * each other's CREATE TABLEs), the built-in system tables, the last timestamp, and a new epoch.
 */
async function openAsLeader(writer: Queryable, schema: SchemaState, nodeId: string): Promise<{ catalog: Catalog; lastTs: bigint; epoch: bigint }> {
  await writer.query(`SELECT pg_advisory_xact_lock(${LAYOUT_LOCK}); ${LAYOUT}`, []);
  // System tables are installed (and vector indexes of an older format rebuilt) before anything
  // can read, so new indexes are ready at once.
  const catalog = await inTransaction(writer, async (tx) => {
    const tables = await send<TableRow>(tx, "SELECT id, name FROM syncline_tables", []);
    const indexes = await send<IndexRow>(tx, "SELECT id, table_id, name, fields FROM syncline_indexes", []);
    const loaded = Catalog.load(tables, indexes);
    const outcome = await installTables(new PostgresStore(tx), loaded, {
      scope: "system",
      tables: schema.system,
      validate: true,
      state: schema,
      previous: await loadShapes(tx, "system"),
      readyTs: 0n,
    });
    await saveShapes(tx, "system", outcome.shapes);
    await upgradeVectorEntries(new PostgresStore(tx), loaded);
    return { loaded, outcome };
  });
  catalog.outcome.apply();
  // The epoch last: once it moved, followers know the system tables are in place.
  const epoch = await bumpEpoch(writer, nodeId, "");
  return { catalog: catalog.loaded, lastTs: await readLastTs(writer), epoch };
}

/**
 * A follower's start: waits (up to `timeoutMs`) until some leader has opened the database, then
 * reads the catalog and the last timestamp in one snapshot.
 */
async function openAsFollower(pool: pg.Pool, target: Target, timeoutMs: number): Promise<{ catalog: Catalog; lastTs: bigint; epoch: bigint }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const opened = await withPooledSession(pool, (conn) =>
        inTransaction(
          conn,
          async (tx) => {
            const { epoch } = await readLeader(tx);
            if (epoch === 0n) return undefined;
            const tables = await send<TableRow>(tx, "SELECT id, name FROM syncline_tables", []);
            const indexes = await send<IndexRow>(tx, "SELECT id, table_id, name, fields FROM syncline_indexes", []);
            return { catalog: Catalog.load(tables, indexes), lastTs: await readLastTs(tx), epoch };
          },
          "ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
      );
      if (opened !== undefined) return opened;
    } catch (error) {
      // The leader may still be creating the tables (undefined_table); anything else is a real failure.
      if ((error as { code?: string }).code !== "42P01") throw openFailure(error, target);
    }
    if (Date.now() > deadline) throw new DatabaseOpenError(`No Syncline leader finished opening ${describeTarget(target)} within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function definedOnly(options: Partial<PostgresSettings>): Partial<PostgresSettings> {
  const out: Partial<PostgresSettings> = {};
  if (options.reconnectTimeoutMs !== undefined) out.reconnectTimeoutMs = options.reconnectTimeoutMs;
  if (options.commitLogRetentionMs !== undefined) out.commitLogRetentionMs = options.commitLogRetentionMs;
  return out;
}
