// A database larger than many pages streams through export and import (the real CLI): 20,000
// documents and a 6 MB file come back byte for byte, and no line of the snapshot is large - file
// contents travel in chunks, documents one per line - so neither side ever holds more than a
// page of documents or a chunk of a file.

import { randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { openServerStorage } from "../../src/server/server-storage.js";
import { FileStorage } from "../../src/server/storage/file-storage.js";
import { runCli } from "../helpers/cli-process.js";
import { dumpDatabase } from "../helpers/database-dump.js";

const DOCUMENTS = 20_000;
const FILE_BYTES = 6 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("20,000 documents and a 6 MB file stream through export and import", { timeout: 120_000 }, async () => {
  const [source, target, file] = [join(dir, "source.sqlite"), join(dir, "target.sqlite"), join(dir, "large.jsonl.gz")];
  const storage = await openServerStorage(source);
  try {
    for (let batch = 0; batch < DOCUMENTS / 2_000; batch++) {
      await storage.db.write(async (tx) => {
        for (let i = 0; i < 2_000; i++) {
          const n = batch * 2_000 + i;
          await tx.db.insert(n % 2 === 0 ? "events" : "people", { n, key: `k${n % 97}`, payload: "x".repeat(100), big: BigInt(n) * 1_000_000_007n });
        }
      });
    }
    const files = new FileStorage({ db: storage.db, blobs: storage.blobs, baseUrl: () => "", now: Date.now, warn: () => {} });
    await files.store([randomBytes(FILE_BYTES)]);
  } finally {
    await storage.close();
  }

  const exported = await runCli(["export", "--db", source, file]);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).toContain(`Exported ${(DOCUMENTS + 1).toLocaleString("en-US")} documents`);
  let longest = 0;
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) {
    longest = Math.max(longest, line.length);
    lines++;
  }
  expect(lines).toBeGreaterThan(DOCUMENTS + FILE_BYTES / (64 * 1024));
  expect(longest).toBeLessThan(70 * 1024); // a 48 KiB chunk in base64 and its JSON around it

  const imported = await runCli(["import", "--db", target, file]);
  expect(imported.code, imported.stderr).toBe(0);
  const [before, after] = [dumpDatabase(source), dumpDatabase(target)];
  expect(after.documents.size).toBe(DOCUMENTS + 1);
  expect(after.documents).toEqual(before.documents);
  expect(after.tables).toEqual(before.tables);
  expect(after.files).toEqual(before.files);
  const [blob] = after.files.keys();
  expect(readFileSync(join(`${target}-files`, blob!)).equals(readFileSync(join(`${source}-files`, blob!)))).toBe(true);
});
