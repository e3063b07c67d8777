// The action time limit ("Actions time out after 10 minutes", design.md: "actions ... 10
// minute limit"). A runtime with a short limit shows what a timed-out action may still do.

import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import type { Database } from "../../../src/server/db/types.js";
import { action, internalMutation } from "../../../src/server/define/registration.js";
import { makeFunctionReference } from "../../../src/functions/reference.js";
import type { LoadedModules } from "../../../src/server/runtime/load.js";
import { Runtime } from "../../../src/server/runtime/runtime.js";
import { MemoryBlobStore } from "../../../src/server/storage/blob-store.js";
import { FileStorage } from "../../../src/server/storage/file-storage.js";
import { STORAGE_TABLE, storageTable } from "../../../src/server/storage/storage-table.js";

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function setup(definitions: Record<string, unknown>, actionTimeoutMs: number) {
  const db = await openDatabase({ path: ":memory:", systemTables: { [STORAGE_TABLE]: storageTable } });
  databases.push(db);
  const storage = new FileStorage({ db, blobs: new MemoryBlobStore(), baseUrl: () => "http://files.test", now: () => 0, warn: () => {} });
  const functions: LoadedModules["functions"] = new Map();
  for (const [name, definition] of Object.entries(definitions)) {
    const [modulePath, exportName] = name.split(":") as [string, string];
    functions.set(name, { name, modulePath, exportName, definition: definition as never });
  }
  const modules: LoadedModules = { functions, schema: undefined, authConfig: undefined, crons: [], http: undefined, modules: [] };
  return { db, runtime: new Runtime(modules, db, { storage, actionTimeoutMs }) };
}

describe("the action time limit", () => {
  it("a timed-out action is over: it cannot write through ctx.runMutation after its caller was told it timed out", async () => {
    const gate = deferred();
    const afterWrite = deferred<string>();
    const write = makeFunctionReference("mutation", "m:write");
    const { db, runtime } = await setup(
      {
        "m:write": internalMutation(async (ctx) => {
          await ctx.db.insert("writes", { at: "after the time limit" });
        }),
        "m:slow": action(async (ctx) => {
          await gate.promise;
          try {
            await ctx.runMutation(write as never, {} as never);
            afterWrite.resolve("written");
          } catch (error) {
            afterWrite.resolve(`refused: ${(error as Error).message}`);
          }
          return null;
        }),
      },
      100,
    );
    const outcome = await runtime.action("m:slow", {}, { origin: "client", identity: null });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : outcome.message).toMatch(/timed out/);

    // The caller has its answer (a failure); now the handler, still running, tries to write.
    gate.resolve();
    await afterWrite.promise;
    const { result: rows } = await db.read((tx) => tx.db.query("writes").collect());
    expect(rows).toEqual([]);
  });
});
