// File storage against the real server: upload URLs, file URLs (ETag, ranges), `ctx.storage` in
// queries, mutations and actions, live links, deletion inside transactions, shared contents,
// restarts with a file database, and the refusals of bad tokens and ids.

import { createHash, randomBytes } from "node:crypto";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import type { Id } from "syncline/values";
import { api } from "../fixtures/app/syncline/_generated/api";
import { ManualClock } from "../helpers/manual-clock.js";
import { call, FIXTURE_DIR, recordingLogger, startTestServer } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { waitFor } from "../helpers/wait.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";

const cleanups = cleanupAfterEach();
const clock = new ManualClock(Date.parse("2026-11-21T10:00:00Z"));
const { logger, lines: logged } = recordingLogger();

// A database file, so the blobs are files this test can list.
const project = tempProject();
const blobsDir = join(project.root, ".syncline", "data.sqlite-files");
const blobKeys = () => readdirSync(blobsDir).filter((name) => !name.startsWith("."));

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ clock, logger, db: join(project.root, ".syncline", "data.sqlite") });
});
afterAll(async () => {
  await server.close();
  project.remove();
});

/** Calls a function over HTTP and returns its value (failing the test on an error). */
async function value(kind: "query" | "mutation" | "action", name: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const answer = await call(server.url, kind, name, args as never);
  if (answer.body.status !== "success") throw new Error(`${name}: ${String(answer.body.errorMessage)}`);
  return answer.body.value;
}

/** Calls a function over HTTP that must fail; returns its error message. */
async function failure(kind: "query" | "mutation" | "action", name: string, args: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(server.url, kind, name, args as never);
  expect(answer.body.status).toBe("error");
  return String(answer.body.errorMessage);
}

async function upload(bytes: Uint8Array<ArrayBuffer> | string, contentType?: string, uploadUrl?: string): Promise<Response> {
  const url = uploadUrl ?? ((await value("mutation", "files:generateUploadUrl")) as string);
  return fetch(url, { method: "POST", body: bytes, headers: contentType === undefined ? {} : { "Content-Type": contentType } });
}

async function uploaded(bytes: Uint8Array<ArrayBuffer> | string, contentType?: string): Promise<Id<"_storage">> {
  const response = await upload(bytes, contentType);
  expect(response.status).toBe(200);
  const { storageId } = (await response.json()) as { storageId: Id<"_storage"> };
  return storageId;
}

/**
 * Waits until the contents freed by earlier deletions are gone: cleanups run in order after their
 * commits, so once a marker file's contents are removed, every earlier cleanup has finished.
 */
async function releasesSettled(): Promise<void> {
  const marker = `marker ${Math.random()}`;
  const id = (await value("action", "files:storeText", { text: marker })) as string;
  await value("mutation", "files:remove", { storageId: id });
  const key = createHash("sha256").update(marker).digest("hex");
  await waitFor(blobKeys, (keys) => !keys.includes(key));
}

const fileUrl = (id: string) => `${server.url}/api/storage/${id}`;
const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("base64");
const storageRows = async () => (await server.db.read((tx) => tx.db.system.query("_storage").collect())).result;

describe("the upload URL flow", () => {
  it("generateUploadUrl, POST the file, save its id; the file URL serves it", async () => {
    const url = (await value("mutation", "files:generateUploadUrl")) as string;
    expect(url.startsWith(`${server.url}/api/storage/upload?token=`)).toBe(true);
    const response = await upload("hello, files", "text/plain", url);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const { storageId } = (await response.json()) as { storageId: string };
    expect(storageId).toMatch(/^_storage_[0-9a-z]{26}$/);
    await value("mutation", "files:save", { storageId, author: "ada" });

    const [listed] = (await value("query", "files:list")) as { author: string; url: string; file: Record<string, unknown> }[];
    expect(listed).toMatchObject({
      author: "ada",
      url: fileUrl(storageId),
      file: { _id: storageId, sha256: sha256("hello, files"), size: 12, contentType: "text/plain" },
    });

    const served = await fetch(listed!.url);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("hello, files");
    expect(Object.fromEntries(served.headers)).toMatchObject({
      "content-type": "text/plain",
      "content-length": "12",
      etag: `"${sha256("hello, files")}"`,
      "accept-ranges": "bytes",
      "access-control-allow-origin": "*",
      "cache-control": "private, no-cache",
    });
    // The same URL may be used any number of times within its hour.
    expect((await upload("again", undefined, url)).status).toBe(200);
  });

  it("serves ranges, HEAD and 304s", async () => {
    const id = await uploaded("0123456789", "application/x-digits");
    const get = (headers: Record<string, string>, method = "GET") => fetch(fileUrl(id), { method, headers });

    const middle = await get({ Range: "bytes=2-4" });
    expect([middle.status, middle.headers.get("content-range"), await middle.text()]).toEqual([206, "bytes 2-4/10", "234"]);
    const tail = await get({ Range: "bytes=-3" });
    expect([tail.status, await tail.text()]).toEqual([206, "789"]);
    const open = await get({ Range: "bytes=7-" });
    expect([open.status, await open.text()]).toEqual([206, "789"]);
    const past = await get({ Range: "bytes=10-" });
    expect([past.status, past.headers.get("content-range")]).toEqual([416, "bytes */10"]);
    expect((await get({ Range: "bytes=5-2" })).status).toBe(200); // malformed: the whole file

    const head = await get({}, "HEAD");
    expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([200, "10", ""]);
    expect((await get({ Range: "bytes=2-4" }, "HEAD")).status).toBe(200); // HEAD ignores Range
    const etag = head.headers.get("etag")!;
    for (const tags of [etag, `"other", ${etag}`, `W/${etag}`, "*"]) expect((await get({ "If-None-Match": tags })).status).toBe(304);
    expect((await get({ "If-None-Match": `"other"` })).status).toBe(200);
    // If-Range: the range only while the client's copy is this file.
    expect((await get({ Range: "bytes=2-4", "If-Range": etag })).status).toBe(206);
    const changed = await get({ Range: "bytes=2-4", "If-Range": `"older"` });
    expect([changed.status, await changed.text()]).toEqual([200, "0123456789"]);
    expect((await get({ Range: "bytes=2-4", "If-Range": "Wed, 21 Oct 2015 07:28:00 GMT" })).status).toBe(200);
  });

  it("serves uploaded pages inert and lets other origins read the headers they need", async () => {
    const id = await uploaded("<script>document.title = 'owned'</script>", "text/html");
    const served = await fetch(fileUrl(id));
    expect(Object.fromEntries(served.headers)).toMatchObject({
      "content-type": "text/html",
      "content-security-policy": "sandbox",
      "x-content-type-options": "nosniff",
      "access-control-expose-headers": "ETag, Content-Range, Accept-Ranges",
    });
  });

  it("stores large uploads whole and without a content type as octet-stream", async () => {
    const bytes = new Uint8Array(randomBytes(8 * 1024 * 1024));
    const id = await uploaded(bytes);
    const [row] = (await storageRows()).filter((file) => file._id === id);
    expect(row).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect(row).not.toHaveProperty("contentType");
    const served = await fetch(fileUrl(id));
    expect(served.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe("files stay consistent with their rows", () => {
  it("a live query's link turns null in the same update that deletes the file", async () => {
    const id = await uploaded("short-lived", "text/plain");
    const client = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => client.close());
    // urlOf reads nothing but what getUrl reads: the update proves getUrl recorded its read.
    const seen: (string | null)[] = [];
    cleanups.push(client.subscribe(api.files.urlOf, { storageId: id }, (url) => seen.push(url)));
    await waitFor(() => seen.length, (count) => count > 0);
    expect(seen).toEqual([fileUrl(id)]);

    await client.mutation(api.files.remove, { storageId: id });
    expect(seen).toEqual([fileUrl(id), null]);
    const gone = await fetch(fileUrl(id));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ code: "FileNotFound", message: `There is no file ${id} (it may have been deleted).` });
  });

  it("a saved file's row and metadata follow it live", async () => {
    const id = await uploaded("listed", "text/plain");
    await value("mutation", "files:save", { storageId: id, author: "lister" });
    const client = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => client.close());
    const seen: { url: string | null; file: unknown }[][] = [];
    cleanups.push(client.subscribe(api.files.list, {}, (images) => seen.push(images.filter((image) => image.author === "lister"))));
    await waitFor(() => seen.length, (count) => count > 0);
    expect(seen.at(-1)).toMatchObject([{ url: fileUrl(id), file: { _id: id, size: 6, contentType: "text/plain" } }]);
    await client.mutation(api.files.remove, { storageId: id });
    expect(seen.at(-1)).toEqual([{ author: "lister", url: null, file: null }]);
  });

  it("a mutation that throws after deleting deletes nothing", async () => {
    const id = await uploaded("keep me");
    expect(await failure("mutation", "files:removeThenFail", { storageId: id })).toContain("changed my mind");
    expect(await (await fetch(fileUrl(id))).text()).toBe("keep me");
    expect(await value("query", "files:urlOf", { storageId: id })).toBe(fileUrl(id));
  });

  it("identical files share their contents until the last one is deleted", async () => {
    const bytes = `shared ${Math.random()}`;
    const blobName = createHash("sha256").update(bytes).digest("hex");
    const blobs = () => blobKeys().filter((key) => key === blobName);
    const first = await uploaded(bytes);
    const second = (await value("action", "files:storeText", { text: bytes })) as string;
    expect(second).not.toBe(first);
    expect(blobs()).toEqual([blobName]);

    await value("mutation", "files:remove", { storageId: first });
    await releasesSettled();
    expect(await (await fetch(fileUrl(second))).text()).toBe(bytes);
    expect(blobs()).toEqual([blobName]);
    await value("mutation", "files:remove", { storageId: second });
    await waitFor(blobs, (left) => left.length === 0);
  });
});

describe("ctx.storage in actions", () => {
  it("store, get, getUrl and delete", async () => {
    const id = (await value("action", "files:storeText", { text: "from an action", contentType: "text/markdown" })) as string;
    expect(await value("action", "files:readText", { storageId: id })).toEqual({ text: "from an action", type: "text/markdown", url: fileUrl(id) });
    await value("action", "files:removeInAction", { storageId: id });
    expect(await value("action", "files:readText", { storageId: id })).toBeNull();
    expect((await fetch(fileUrl(id))).status).toBe(404);
    expect(blobKeys()).not.toContain(createHash("sha256").update("from an action").digest("hex"));
  });

  it("store checks an expected SHA-256 and keeps nothing when it differs", async () => {
    const text = `checked ${Math.random()}`;
    const right = (await value("action", "files:storeText", { text, sha256: sha256(text) })) as string;
    expect(await (await fetch(fileUrl(right))).text()).toBe(text);

    const before = (await storageRows()).length;
    const wrong = sha256("something else");
    const other = `unchecked ${Math.random()}`;
    expect(await failure("action", "files:storeText", { text: other, sha256: wrong })).toContain(`The file's SHA-256 is ${sha256(other)}, not the expected ${wrong}; nothing was stored.`);
    expect((await storageRows()).length).toBe(before);
    expect(blobKeys()).not.toContain(createHash("sha256").update(other).digest("hex"));
  });
});

describe("refusals", () => {
  it("uploads without a valid, unexpired token store nothing", async () => {
    const before = (await storageRows()).length;
    const url = (await value("mutation", "files:generateUploadUrl")) as string;
    const answer = async (target: string) => {
      const response = await fetch(target, { method: "POST", body: "nope" });
      return { status: response.status, ...((await response.json()) as { code: string; message: string }) };
    };
    expect(await answer(`${server.url}/api/storage/upload`)).toMatchObject({ status: 400, code: "MissingUploadToken" });
    const forged = url.replace(/token=(\w+)\./, (_, expires: string) => `token=${(parseInt(expires, 36) + 1).toString(36)}.`);
    expect(await answer(forged)).toMatchObject({ status: 401, code: "InvalidUploadToken" });
    clock.advance(60 * 60 * 1000);
    expect(await answer(url)).toMatchObject({
      status: 401,
      code: "UploadUrlExpired",
      message: "This upload URL has expired (they last one hour); get a new one from ctx.storage.generateUploadUrl().",
    });
    expect((await storageRows()).length).toBe(before);
    expect((await fetch(url.split("?")[0]!)).status).toBe(405);
  });

  it("an upload cut off midway stores nothing and leaves nothing behind", async () => {
    const url = new URL((await value("mutation", "files:generateUploadUrl")) as string);
    const before = (await storageRows()).length;
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, "connect");
    socket.write(`POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 100000\r\n\r\n${"a".repeat(1000)}`);
    await waitFor(() => readdirSync(blobsDir).some((name) => name.startsWith(".staging-")), Boolean);
    socket.destroy();
    await waitFor(() => readdirSync(blobsDir).some((name) => name.startsWith(".staging-")), (staging) => !staging);
    expect((await storageRows()).length).toBe(before);
    expect(logged.filter((line) => line.startsWith("error"))).toEqual([]);
  });

  it("a download the client cancels is not logged as a server error", async () => {
    const id = await uploaded(new Uint8Array(randomBytes(16 * 1024 * 1024)));
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(`GET /api/storage/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await once(socket, "data");
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await (await fetch(fileUrl(id), { headers: { Range: "bytes=0-3" } })).arrayBuffer()).toHaveProperty("byteLength", 4);
    expect(logged.filter((line) => line.startsWith("error"))).toEqual([]);
  });

  it("wrong ids and methods get clear errors", async () => {
    expect(await failure("query", "files:urlOf", { storageId: "messages_0123456789abcdefghjkmnpqrs" })).toContain(
      `ctx.storage.getUrl expects an Id<"_storage"> (from ctx.storage.store or an upload), got "messages_0123456789abcdefghjkmnpqrs".`,
    );
    const missing = "_storage_0123456789abcdefghjkmnpqrs";
    expect(await value("query", "files:urlOf", { storageId: missing })).toBeNull();
    expect(await failure("mutation", "files:remove", { storageId: missing })).toContain(`ctx.storage.delete: there is no file ${missing} (deleted already?).`);
    expect(await failure("action", "files:storeString")).toContain("ctx.storage.store expects a Blob (e.g. await request.blob()), got string.");
    expect((await fetch(fileUrl("not-an-id"))).status).toBe(404);
    expect((await fetch(`${server.url}/api/storage/%E0%A4%A`)).status).toBe(404);
    const id = await uploaded("x");
    const post = await fetch(fileUrl(id), { method: "POST", body: "y" });
    expect([post.status, post.headers.get("allow"), post.headers.get("access-control-allow-origin")]).toEqual([405, "GET, HEAD, OPTIONS", "*"]);
    expect(await (await fetch(fileUrl(id))).text()).toBe("x");
  });
});

describe("with a database file", () => {
  it("files survive a restart; leftovers of a crash are removed at start", async () => {
    const project = tempProject({}, cleanups);
    const db = join(project.root, ".syncline", "data.sqlite");
    const start = () => startServer({ dir: FIXTURE_DIR, port: 0, db });
    const first = await start();
    const url = (await call(first.url, "mutation", "files:generateUploadUrl")).body.value as string;
    const { storageId } = (await (await fetch(url, { method: "POST", body: "durable", headers: { "Content-Type": "text/plain" } })).json()) as { storageId: string };
    await first.close();

    const filesDir = `${db}-files`;
    const stray = createHash("sha256").update("orphan").digest("hex");
    writeFileSync(join(filesDir, stray), "orphan");
    writeFileSync(join(filesDir, ".staging-0123"), "half an upload");
    const second = await start();
    cleanups.push(() => second.close());
    const served = await fetch(`${second.url}/api/storage/${storageId}`);
    expect([served.headers.get("content-type"), await served.text()]).toEqual(["text/plain", "durable"]);
    await waitFor(() => readdirSync(filesDir), (names) => !names.includes(stray));
    expect(readdirSync(filesDir)).toEqual([createHash("sha256").update("durable").digest("hex")]);
    // A URL made by the last process is refused: the signing key is per process.
    const stale = await fetch(url.replace(first.url, second.url), { method: "POST", body: "late" });
    expect([stale.status, ((await stale.json()) as { code: string }).code]).toEqual([401, "InvalidUploadToken"]);
  });

  it("two databases in one folder keep their files apart", async () => {
    const folder = tempProject({}, cleanups).root;
    const start = (name: string) => startServer({ dir: FIXTURE_DIR, port: 0, db: join(folder, name) });
    const a = await start("a.sqlite");
    const storageId = (await call(a.url, "action", "files:storeText", { text: "a's file" })).body.value as string;
    await a.close();
    const b = await start("b.sqlite");
    await b.close(); // after its start-up sweep, which must not have seen a's contents
    const again = await start("a.sqlite");
    cleanups.push(() => again.close());
    expect(await (await fetch(`${again.url}/api/storage/${storageId}`)).text()).toBe("a's file");
  });

  it("a disk that fails during an upload is a server error, not the client's", async () => {
    const folder = tempProject({}, cleanups).root;
    const recorded = recordingLogger();
    const db = join(folder, "data.sqlite");
    const broken = await startServer({ dir: FIXTURE_DIR, port: 0, db, logger: recorded.logger });
    cleanups.push(() => broken.close());
    rmSync(`${db}-files`, { recursive: true });
    writeFileSync(`${db}-files`, "not a folder");
    const url = (await call(broken.url, "mutation", "files:generateUploadUrl")).body.value as string;
    const response = await fetch(url, { method: "POST", body: "x".repeat(4 * 1024 * 1024) });
    expect([response.status, response.headers.get("access-control-allow-origin")]).toEqual([500, "*"]); // readable by the page
    expect(((await response.json()) as { message: string }).message).toContain("ENOTDIR");
    expect(recorded.lines.some((line) => line.startsWith("error") && line.includes("ENOTDIR"))).toBe(true);
  });

  it("URLs start with the server's address, IPv6 included", async () => {
    const v6 = await startTestServer({ host: "::1" });
    cleanups.push(() => v6.close());
    expect(v6.url).toBe(`http://[::1]:${v6.port}`);
    expect(v6.siteUrl).toBe(`http://[::1]:${v6.sitePort}`);
    const storageId = (await call(v6.url, "action", "files:storeText", { text: "over IPv6" })).body.value as string;
    const url = (await call(v6.url, "query", "files:urlOf", { storageId })).body.value as string;
    expect(await (await fetch(url)).text()).toBe("over IPv6");
  });

  it("URLs start with the configured address", async () => {
    const proxied = await startTestServer({ url: "https://files.example.com/" });
    cleanups.push(() => proxied.close());
    const uploadUrl = (await call(proxied.url, "mutation", "files:generateUploadUrl")).body.value as string;
    expect(uploadUrl.startsWith("https://files.example.com/api/storage/upload?token=")).toBe(true);
    const storageId = (await call(proxied.url, "action", "files:storeText", { text: "behind a proxy" })).body.value as string;
    expect((await call(proxied.url, "query", "files:urlOf", { storageId })).body.value).toBe(`https://files.example.com/api/storage/${storageId}`);
  });
});
