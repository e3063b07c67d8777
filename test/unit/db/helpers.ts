// Test helpers: real SQLite files in a fresh temporary directory, removed afterwards - or, in the
// "postgres" vitest project, a fresh database on the run's temp PostgreSQL cluster.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { openDatabase, type OpenedDatabase, type OpenDatabaseOptions } from "../../../src/server/db/index.js";
import type { Id } from "../../../src/values/index.js";
import type { JSONValue } from "../../../src/values/value.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A fresh directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "syncline-db-test-"));
  cleanups.unshift(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a database on a file in a fresh directory (or a fresh Postgres database); closed and removed after the test. */
export async function testDb(options: Partial<OpenDatabaseOptions> = {}): Promise<OpenedDatabase> {
  const path = options.path ?? (TEST_ENGINE === "postgres" ? testDatabase() : join(tempDir(), "data.sqlite"));
  const db = await openDatabase({ ...options, path });
  cleanups.push(() => db.close());
  return db;
}

/** Inserts documents in one transaction and returns their ids. */
export async function seed(db: OpenedDatabase, table: string, docs: Record<string, unknown>[]): Promise<Id<string>[]> {
  const { result } = await db.write(async (tx) => {
    const ids: Id<string>[] = [];
    for (const doc of docs) ids.push(await tx.db.insert(table, doc as never));
    return ids;
  });
  return result;
}

/** The rejection of `promise` (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

/** A database's export, read whole: the snapshot (tables, schema, timestamp) and every document. */
export interface ExportedData {
  snapshot: Awaited<ReturnType<OpenedDatabase["openSnapshot"]>>;
  documents: { table: string; value: JSONValue }[];
}

/** Reads `db`'s export as `syncline export` does. */
export async function exportAll(db: OpenedDatabase): Promise<ExportedData> {
  const snapshot = await db.openSnapshot();
  const documents: ExportedData["documents"] = [];
  try {
    for (const table of snapshot.tables) {
      for await (const page of snapshot.documents(table.name)) for (const json of page) documents.push({ table: table.name, value: JSON.parse(json) as JSONValue });
    }
  } finally {
    await snapshot.close();
  }
  return { snapshot, documents };
}

/** A fresh test database loaded from an export, as `syncline import` does. */
export async function importAll({ snapshot, documents }: ExportedData): Promise<OpenedDatabase> {
  const target = await testDb();
  async function* pages() {
    yield* documents;
  }
  await target.loadSnapshot({ ts: snapshot.ts, tables: snapshot.tables, userSchema: snapshot.userSchema, documents: () => pages(), replace: false });
  return target;
}
