// The directory blob store on a real folder: durable commits, blobs held open across deletion,
// and failures that clean up after themselves and report their own cause.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterEach, describe, expect, it } from "vitest";
import { DirectoryBlobStore } from "../../../src/server/storage/blob-store.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function store() {
  const folder = mkdtempSync(join(tmpdir(), "syncline-blobs-"));
  folders.push(folder);
  const dir = join(folder, "data.sqlite-files");
  return { dir, blobs: await DirectoryBlobStore.open(dir) };
}

const chunks = (...parts: string[]) => parts.map((part) => new TextEncoder().encode(part));
const keyOf = (text: string) => createHash("sha256").update(text).digest("hex");

describe("DirectoryBlobStore", () => {
  it("names blobs by their digest once committed, and keeps nothing staged", async () => {
    const { dir, blobs } = await store();
    const staged = await blobs.stage(chunks("hello, ", "blobs"));
    expect([staged.key, staged.size]).toEqual([keyOf("hello, blobs"), 12]);
    expect(await blobs.keys()).toEqual([]);
    await staged.commit();
    expect(readdirSync(dir)).toEqual([keyOf("hello, blobs")]);
    expect(Buffer.from((await blobs.read(staged.key))!).toString()).toBe("hello, blobs");
  });

  it("an open blob still streams after it is deleted, and ranges are inclusive", async () => {
    const { blobs } = await store();
    const staged = await blobs.stage(chunks("0123456789"));
    await staged.commit();
    const whole = (await blobs.open(staged.key))!;
    const part = (await blobs.open(staged.key))!;
    await blobs.delete(staged.key);
    expect(await blobs.open(staged.key)).toBeUndefined();
    expect(whole.size).toBe(10);
    expect(await text(whole.stream())).toBe("0123456789");
    expect(await text(part.stream({ start: 2, end: 4 }))).toBe("234");
  });

  it("a failed upload removes its staging file and reports why it failed", async () => {
    const { dir, blobs } = await store();
    const failing = (async function* () {
      yield new TextEncoder().encode("half");
      throw new Error("client went away");
    })();
    await expect(blobs.stage(failing)).rejects.toThrow("client went away");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a commit that cannot rename removes the staged bytes", async () => {
    const { dir, blobs } = await store();
    const staged = await blobs.stage(chunks("blocked"));
    // A folder where the blob's file should go makes the rename fail.
    mkdirSync(join(dir, staged.key));
    writeFileSync(join(dir, staged.key, "occupant"), "x");
    await expect(staged.commit()).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([staged.key]);
  });

  it("opening the folder again removes uploads an earlier process left half-done", async () => {
    const { dir } = await store();
    writeFileSync(join(dir, ".staging-0123"), "half");
    writeFileSync(join(dir, keyOf("kept")), "kept");
    const reopened = await DirectoryBlobStore.open(dir);
    expect(readdirSync(dir)).toEqual([keyOf("kept")]);
    expect(await reopened.keys()).toEqual([keyOf("kept")]);
  });
});
