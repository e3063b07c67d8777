// Everything a (closed) SQLite database file and its file store hold - or a PostgreSQL database -
// read straight from storage, so tests can compare two databases byte for byte: every document's
// stored JSON by id, every table's indexes, the installed schema, the last commit timestamp and
// the stored files' bytes (by their SHA-256).

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";

export interface DatabaseDump {
  /** Document id -> its stored JSON text. */
  documents: Map<string, string>;
  /** Table -> its indexes as `name(field,field)`, sorted. */
  tables: Map<string, string[]>;
  /** The installed user schema as stored (validators as JSON text). */
  userSchema: string | undefined;
  lastTs: bigint;
  /** Blob file name -> hex SHA-256 of its bytes (read from disk, not trusted from the name). */
  files: Map<string, string>;
}

/** Reads `file` (a database no process has open) and its `-files` folder. */
export function dumpDatabase(file: string): DatabaseDump {
  const sqlite = new BetterSqlite3(file, { readonly: true });
  try {
    const documents = new Map((sqlite.prepare("SELECT id, json FROM documents ORDER BY id").all() as { id: string; json: string }[]).map((row) => [row.id, row.json]));
    const tables = new Map<string, string[]>();
    const rows = sqlite.prepare("SELECT t.name AS tableName, i.name AS name, i.fields AS fields FROM tables t JOIN indexes i ON i.table_id = t.id").all() as { tableName: string; name: string; fields: string }[];
    for (const row of rows) tables.set(row.tableName, [...(tables.get(row.tableName) ?? []), `${row.name}(${(JSON.parse(row.fields) as string[]).join(",")})`].sort());
    const userSchema = sqlite.prepare("SELECT value FROM meta WHERE key = 'schema:user'").pluck().get() as string | undefined;
    const lastTs = sqlite.prepare("SELECT value FROM meta WHERE key = 'last_ts'").safeIntegers(true).pluck().get() as bigint;
    const folder = `${file}-files`;
    const files = new Map<string, string>();
    if (existsSync(folder)) {
      for (const name of readdirSync(folder)) files.set(name, createHash("sha256").update(readFileSync(join(folder, name))).digest("hex"));
    }
    return { documents, tables, userSchema, lastTs, files };
  } finally {
    sqlite.close();
  }
}

/**
 * The same for a PostgreSQL database (read while no server writes to it): file contents are the
 * concatenated chunks of each stored blob, hashed.
 */
export async function dumpPostgres(url: string): Promise<DatabaseDump> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = async <T>(text: string) => (await client.query(text)).rows as T[];
    const documents = new Map((await rows<{ id: string; json: string }>("SELECT id, json FROM syncline_documents ORDER BY id")).map((row) => [row.id, row.json]));
    const tables = new Map<string, string[]>();
    const indexes = await rows<{ tablename: string; name: string; fields: string }>(
      "SELECT t.name AS tablename, i.name AS name, i.fields AS fields FROM syncline_tables t JOIN syncline_indexes i ON i.table_id = t.id",
    );
    for (const row of indexes) tables.set(row.tablename, [...(tables.get(row.tablename) ?? []), `${row.name}(${(JSON.parse(row.fields) as string[]).join(",")})`].sort());
    const meta = new Map((await rows<{ key: string; value: string }>("SELECT key, value FROM syncline_meta")).map((row) => [row.key, row.value]));
    const files = new Map<string, string>();
    for (const { key } of await rows<{ key: string }>("SELECT key FROM syncline_blobs ORDER BY key")) {
      const chunks = (await client.query("SELECT data FROM syncline_blob_chunks WHERE key = $1 ORDER BY seq", [key])).rows as { data: Buffer }[];
      files.set(key, createHash("sha256").update(Buffer.concat(chunks.map((chunk) => chunk.data))).digest("hex"));
    }
    const stray = await rows<{ n: string }>("SELECT count(*)::text AS n FROM syncline_blob_chunks WHERE key NOT IN (SELECT key FROM syncline_blobs)");
    if (stray[0]!.n !== "0") files.set("(chunks of no blob)", stray[0]!.n);
    return { documents, tables, userSchema: meta.get("schema:user"), lastTs: BigInt(meta.get("last_ts") ?? "0"), files };
  } finally {
    await client.end();
  }
}

/** `dumpPostgres` for a postgres:// URL, else `dumpDatabase` of the file. */
export async function dumpAny(db: string): Promise<DatabaseDump> {
  return db.startsWith("postgres://") ? dumpPostgres(db) : dumpDatabase(db);
}
