// `ctx.storage.store()` / `get()` inside mutations, through the official client on both engines:
// the `_storage` row is a write of the mutation's transaction (a throw stores nothing and its
// contents are removed), stored and read contents count against the mutation's 16 MiB limits, and
// contents a dead process held for an unfinished transaction are removed by the start-up sweep.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, type RunningServer } from "syncline/server";
import type { OpenedDatabase } from "../../src/server/db/types.js";
import { openBlobStore, openServerStorage } from "../../src/server/server-storage.js";
import { FileStorage } from "../../src/server/storage/file-storage.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { TEST_ENGINE, testDatabase } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait.js";

const cleanups = cleanupAfterEach();
const MiB = 1024 * 1024;

const FILES_TS = `import { action, mutation, query } from "syncline/server";
import { v } from "syncline/values";

/** Stores a text file, reads it back in the same transaction, links it from a document. */
export const storeText = mutation({
  args: { text: v.string(), type: v.optional(v.string()), sha256: v.optional(v.string()), fail: v.optional(v.boolean()) },
  handler: async (ctx, { text, type, sha256, fail }) => {
    const id = await ctx.storage.store(new Blob([text], type === undefined ? {} : { type }), sha256 === undefined ? undefined : { sha256 });
    const readBack = await ctx.storage.get(id);
    await ctx.db.insert("notes", { file: id });
    if (fail === true) throw new Error("rolled back after storing");
    return { id, readBack: readBack === null ? null : [readBack.type, await readBack.text()], url: await ctx.storage.getUrl(id) };
  },
});
/** Stores files of zero bytes of these sizes, one after the other. */
export const storeZeros = mutation({
  args: { sizes: v.array(v.number()) },
  handler: async (ctx, { sizes }) => {
    const ids = [];
    for (const size of sizes) ids.push(await ctx.storage.store(new Blob([new Uint8Array(size)])));
    return ids;
  },
});
export const readTimes = mutation({
  args: { id: v.id("_storage"), times: v.number() },
  handler: async (ctx, { id, times }) => {
    let bytes = 0;
    for (let i = 0; i < times; i++) bytes += (await ctx.storage.get(id))?.size ?? 0;
    return bytes;
  },
});
export const getMissing = mutation({
  args: { id: v.id("_storage") },
  handler: async (ctx, { id }) => {
    await ctx.storage.delete(id);
    return await ctx.storage.get(id);
  },
});
export const storeString = mutation({ args: {}, handler: (ctx) => ctx.storage.store("not a blob" as never) });
export const storeInAction = action({ args: { size: v.number() }, handler: (ctx, { size }) => ctx.storage.store(new Blob([new Uint8Array(size)])) });
export const readInAction = action({
  args: { id: v.id("_storage") },
  handler: async (ctx, { id }) => {
    const blob = await ctx.storage.get(id);
    return blob === null ? null : [blob.type, await blob.text()];
  },
});
export const files = query({ args: {}, handler: async (ctx) => (await ctx.db.system.query("_storage").collect()).map((f) => [f._id, f.size]) });
export const notes = query({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).length });
`;

const keyOf = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const digestOf = (bytes: string | Uint8Array) => createHash("sha256").update(bytes).digest("base64");

/** A database whose file contents the test can list: a file beside the project on SQLite, a fresh Postgres database. */
function databaseWithFiles(project: TempProject): string {
  return TEST_ENGINE === "postgres" ? testDatabase() : join(project.root, ".syncline", "data.sqlite");
}

async function start(project: TempProject, db: string) {
  const server = await startServer({ dir: project.dir, port: 0, db });
  cleanups.push(() => server.close());
  const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
  cleanups.push(() => client.close());
  return { server, client, api: anyApi.files! };
}

/** The names of the stored contents (hex SHA-256), read from the running server's engine. */
async function contentKeys(server: RunningServer, db: string): Promise<string[]> {
  return (await openBlobStore(server.db as OpenedDatabase, db)).keys();
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "no error",
    (error: Error) => error.message,
  );
}

describe("ctx.storage.store and get in mutations", () => {
  it("stores a file in the mutation's transaction: it reads it back, links it and returns its URL; others see it once committed", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const db = databaseWithFiles(project);
    const { server, client, api } = await start(project, db);
    const seen: number[] = [];
    client.onUpdate(api.files!, {}, (rows: unknown) => void seen.push((rows as unknown[]).length));
    await waitFor(() => seen, (counts) => counts.includes(0));

    const stored = (await client.mutation(api.storeText!, { text: "made in a mutation", type: "text/plain" })) as { id: string; readBack: unknown; url: string };
    expect(stored.id).toMatch(/^_storage_/);
    expect(stored.readBack).toEqual(["text/plain", "made in a mutation"]);
    expect(stored.url).toBe(`${server.url}/api/storage/${stored.id}`);
    await waitFor(() => seen, (counts) => counts.at(-1) === 1); // a live query sees the new row
    expect(await client.query(api.files!, {})).toEqual([[stored.id, "made in a mutation".length]]);
    const served = await fetch(stored.url);
    expect([served.headers.get("content-type"), await served.text()]).toEqual(["text/plain", "made in a mutation"]);
    expect(await client.action(api.readInAction!, { id: stored.id })).toEqual(["text/plain", "made in a mutation"]);
    expect(await contentKeys(server, db)).toEqual([keyOf("made in a mutation")]);
  });

  it("a mutation that throws after store leaves no _storage row, and its contents are removed - unless another file uses them", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const db = databaseWithFiles(project);
    const { server, client, api } = await start(project, db);
    expect(await errorOf(client.mutation(api.storeText!, { text: "never kept", fail: true }))).toContain("rolled back after storing");
    expect(await client.query(api.files!, {})).toEqual([]);
    expect(await client.query(api.notes!, {})).toBe(0);
    await waitFor(() => contentKeys(server, db), (keys) => keys.length === 0);

    // Identical contents a committed file names stay when a rolled-back store of them goes.
    const kept = (await client.mutation(api.storeText!, { text: "shared" })) as { id: string };
    expect(await errorOf(client.mutation(api.storeText!, { text: "shared", fail: true }))).toContain("rolled back after storing");
    await new Promise((resolve) => setTimeout(resolve, 100)); // the rollback's cleanup has run
    expect(await contentKeys(server, db)).toEqual([keyOf("shared")]);
    expect(await client.action(api.readInAction!, { id: kept.id })).toEqual(["", "shared"]);
  });

  it("checks an expected SHA-256 and refuses what is not a Blob, storing nothing", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const db = databaseWithFiles(project);
    const { server, client, api } = await start(project, db);
    const wrong = digestOf("something else");
    expect(await errorOf(client.mutation(api.storeText!, { text: "checked", sha256: wrong }))).toContain(
      `The file's SHA-256 is ${digestOf("checked")}, not the expected ${wrong}; nothing was stored.`,
    );
    expect(await errorOf(client.mutation(api.storeString!, {}))).toContain("ctx.storage.store expects a Blob (e.g. await request.blob()), got string.");
    expect(await client.query(api.files!, {})).toEqual([]);
    expect(await contentKeys(server, db)).toEqual([]);
    const right = (await client.mutation(api.storeText!, { text: "checked", sha256: digestOf("checked") })) as { readBack: unknown };
    expect(right.readBack).toEqual(["", "checked"]);
  });

  it("get is null for a file the mutation deleted", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const { client, api } = await start(project, testDatabase());
    const id = (await client.action(api.storeInAction!, { size: 3 })) as string;
    expect(await client.mutation(api.getMissing!, { id })).toBeNull();
  });

  it("a mutation stores at most 16 MiB of contents: exactly 16 MiB commits, more is refused and stores nothing", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const db = databaseWithFiles(project);
    const { server, client, api } = await start(project, db);
    const message = await errorOf(client.mutation(api.storeZeros!, { sizes: [10 * MiB, 7 * MiB] }));
    expect(message).toContain(
      `ctx.storage.store: a mutation may have stored at most ${16 * MiB} bytes (16 MiB) of file contents, and this file of ${7 * MiB} bytes would make ${17 * MiB}.`,
    );
    expect(await client.query(api.files!, {})).toEqual([]);
    await waitFor(() => contentKeys(server, db), (keys) => keys.length === 0); // the first file's contents went too

    const ids = (await client.mutation(api.storeZeros!, { sizes: [8 * MiB, 8 * MiB] })) as string[];
    expect(ids).toHaveLength(2);
    expect((await client.query(api.files!, {})) as unknown[]).toHaveLength(2);
    expect(await contentKeys(server, db)).toEqual([keyOf(new Uint8Array(8 * MiB))]); // identical contents, stored once
  });

  it("a mutation reads at most 16 MiB of contents with get, counted per call", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const { client, api } = await start(project, testDatabase());
    const id = (await client.action(api.storeInAction!, { size: 6 * MiB })) as string;
    expect(await client.mutation(api.readTimes!, { id, times: 2 })).toBe(12 * MiB);
    expect(await errorOf(client.mutation(api.readTimes!, { id, times: 3 }))).toContain(
      `ctx.storage.get: a mutation may have read at most ${16 * MiB} bytes (16 MiB) of file contents, and this file of ${6 * MiB} bytes would make ${18 * MiB}.`,
    );
  });

  it("contents held for a transaction that never ended (the process died) are removed by the next start's sweep", async () => {
    const project = tempProject({ "files.ts": FILES_TS }, cleanups);
    const db = databaseWithFiles(project);
    // What a mutation does before its row: the contents are committed and held.
    const dying = await openServerStorage(db);
    const files = new FileStorage({ db: dying.db, blobs: dying.blobs, baseUrl: () => "http://unused", now: Date.now, warn: () => {} });
    const row = await files.hold([new TextEncoder().encode("cut off")], {});
    // While held, a cleanup of this process leaves them alone (the transaction may still commit).
    await files.sweep();
    expect(await dying.blobs.keys()).toEqual([keyOf("cut off")]);
    expect(row.sha256).toBe(digestOf("cut off"));
    await dying.close(); // dies without the transaction ending: no row, no letGo

    const { server } = await start(project, db);
    await waitFor(() => contentKeys(server, db), (keys) => keys.length === 0);
  });
});
