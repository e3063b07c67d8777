// A damaged snapshot is refused with the line (or entry) that is wrong, and the target - here a
// database holding other data, imported into with `replace` so a half-done import would show -
// is left exactly as it was: documents, tables, schema, last commit and stored files. The target
// is on the engine under test (a SQLite file, or a Postgres database in the "postgres" project).

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openServerStorage, type ServerStorage } from "../../src/server/server-storage.js";
import { exportSnapshot } from "../../src/server/snapshot/export-snapshot.js";
import { importSnapshot } from "../../src/server/snapshot/import-snapshot.js";
import { SnapshotError } from "../../src/server/snapshot/snapshot-reader.js";
import { FileStorage } from "../../src/server/storage/file-storage.js";
import { runCli } from "../helpers/cli-process.js";
import { dumpAny } from "../helpers/database-dump.js";
import { TEST_ENGINE, testDatabase } from "../helpers/test-database.js";

let dir: string;
let good: string[]; // the valid snapshot's lines
let target: string;

/** Puts documents (a user table with an index, system rows) and a stored file into `storage`. */
async function fill(storage: ServerStorage, label: string): Promise<void> {
  const files = new FileStorage({ db: storage.db, blobs: storage.blobs, baseUrl: () => "", now: Date.now, warn: () => {} });
  await storage.db.write(async (tx) => {
    for (let i = 0; i < 5; i++) await tx.db.insert("messages", { room: label, body: `${label} ${i}`, n: BigInt(i) });
  });
  await files.store([Buffer.from(`the contents of ${label}`)], { contentType: "text/plain" });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-damaged-"));
  const source = await openServerStorage(join(dir, "source.sqlite"));
  await fill(source, "source");
  await exportSnapshot(source, join(dir, "good.jsonl.gz"));
  await source.close();
  good = gunzipSync(readFileSync(join(dir, "good.jsonl.gz"))).toString("utf8").split("\n").slice(0, -1);
  target = TEST_ENGINE === "postgres" ? testDatabase() : join(dir, "target.sqlite");
  const existing = await openServerStorage(target);
  await fill(existing, "target");
  await existing.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The line number (1-based) of the first line matching `pattern`. */
const lineOf = (pattern: RegExp) => good.findIndex((line) => pattern.test(line)) + 1;

/** Writes `lines` as a snapshot file, with an end line recomputed to fit them when `seal` is set. */
function snapshotOf(name: string, lines: string[], options: { seal?: boolean } = {}): string {
  let body = lines;
  if (options.seal) {
    const content = lines.slice(0, -1);
    const documents: Record<string, number> = {};
    for (const line of content) {
      const entry = JSON.parse(line) as { type: string; table?: string };
      if (entry.type === "document") documents[entry.table!] = (documents[entry.table!] ?? 0) + 1;
    }
    const end = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    const sha256 = createHash("sha256").update(content.map((line) => `${line}\n`).join("")).digest("hex");
    body = [...content, JSON.stringify({ ...end, lines: content.length, documents, sha256 })];
  }
  const file = join(dir, name);
  writeFileSync(file, gzipSync(`${body.join("\n")}\n`));
  return file;
}

/** Imports `file` into the target with `replace`; resolves to the error's message. */
async function refusal(file: string): Promise<string> {
  const before = await dumpAny(target);
  const storage = await openServerStorage(target);
  let error: unknown;
  try {
    await importSnapshot(storage, file, { replace: true });
  } catch (caught) {
    error = caught;
  } finally {
    await storage.close();
  }
  expect(error).toBeInstanceOf(SnapshotError);
  // (Postgres: the dump counts chunks that belong to no stored file, such as staged ones.)
  expect(await dumpAny(target)).toEqual(before);
  if (TEST_ENGINE === "sqlite") expect(readdirSync(`${target}-files`).filter((name) => name.startsWith(".staging"))).toEqual([]);
  return (error as Error).message;
}

const edit = (line: number, change: (entry: Record<string, unknown>) => void) =>
  good.map((text, i) => {
    if (i !== line - 1) return text;
    const entry = JSON.parse(text) as Record<string, unknown>;
    change(entry);
    return JSON.stringify(entry);
  });

describe("a damaged snapshot is refused and the target left untouched", () => {
  it("the valid snapshot imports (so each refusal below is about its damage)", async () => {
    const copy = TEST_ENGINE === "postgres" ? testDatabase() : join(dir, "copy.sqlite");
    const storage = await openServerStorage(copy);
    try {
      expect((await importSnapshot(storage, snapshotOf("valid.jsonl.gz", good))).documents).toBe(6);
      expect((await importSnapshot(storage, snapshotOf("resealed.jsonl.gz", good, { seal: true }), { replace: true })).documents).toBe(6);
    } finally {
      await storage.close();
    }
  });

  it("a file that is not gzip", async () => {
    const file = join(dir, "plain.jsonl");
    writeFileSync(file, `${good.join("\n")}\n`);
    expect(await refusal(file)).toMatch(/plain\.jsonl: the file is not gzip-compressed or its compressed data is damaged/);
  });

  it("compressed data cut off", async () => {
    const file = join(dir, "cut.jsonl.gz");
    const whole = readFileSync(snapshotOf("whole.jsonl.gz", good));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.8)));
    expect(await refusal(file)).toMatch(/cut\.jsonl\.gz: the compressed data ends early: the file is truncated \(after line \d+\)\./);
  });

  it("bad JSON on a line", async () => {
    const line = lineOf(/"type":"document"/) + 1;
    const lines = [...good];
    lines[line - 1] = lines[line - 1]!.slice(0, 40);
    expect(await refusal(snapshotOf("bad-json.jsonl.gz", lines))).toMatch(new RegExp(`bad-json\\.jsonl\\.gz, line ${line}: the line is not valid JSON`));
  });

  it("a missing end line", async () => {
    expect(await refusal(snapshotOf("no-end.jsonl.gz", good.slice(0, -1)))).toContain("the snapshot ends without its end line: the file is truncated.");
  });

  it("lines missing before the end line", async () => {
    const line = lineOf(/"type":"document","table":"messages"/);
    const lines = good.filter((_, i) => i !== line - 1);
    expect(await refusal(snapshotOf("missing-line.jsonl.gz", lines))).toMatch(/the end line counts \d+ lines before it, but there are \d+: lines are missing or were added/);
  });

  it("a document count that does not match", async () => {
    const lines = edit(good.length, (end) => ((end.documents as Record<string, number>).messages = 6));
    expect(await refusal(snapshotOf("count.jsonl.gz", lines))).toContain(`line ${good.length}: the end line counts 6 documents of table "messages", but the snapshot holds 5.`);
  });

  it("a checksum that does not match (a document altered)", async () => {
    const lines = edit(lineOf(/"type":"document","table":"messages"/), (entry) => ((entry.value as Record<string, unknown>).body = "altered"));
    expect(await refusal(snapshotOf("altered.jsonl.gz", lines))).toMatch(/the checksum does not match .*: the snapshot was altered or damaged/);
  });

  it("an unknown format version", async () => {
    const lines = edit(1, (header) => (header.version = 2));
    expect(await refusal(snapshotOf("v2.jsonl.gz", lines))).toContain("line 1: the snapshot has format version 2, written by a newer Syncline; this one reads version 1.");
  });

  it("not a snapshot at all", async () => {
    expect(await refusal(snapshotOf("other.jsonl.gz", ['{"hello":"world"}']))).toContain("line 1: the line is not a snapshot entry");
  });

  it("a document of a table the snapshot does not declare", async () => {
    const line = lineOf(/"type":"document","table":"messages"/);
    const lines = edit(line, (entry) => (entry.table = "ghosts"));
    expect(await refusal(snapshotOf("ghost.jsonl.gz", lines))).toContain(`line ${line}: a document of table "ghosts", which the snapshot does not declare.`);
  });

  it("file contents that do not match their SHA-256", async () => {
    const line = lineOf(/"type":"chunk"/);
    const lines = edit(line, (chunk) => (chunk.bytes = Buffer.from("x".repeat(Buffer.from(chunk.bytes as string, "base64").length)).toString("base64")));
    expect(await refusal(snapshotOf("bad-file.jsonl.gz", lines))).toContain(`line ${line - 1}: the contents of file`);
  });

  it("a _storage row naming contents the snapshot does not hold", async () => {
    const fileLine = lineOf(/"type":"file"/);
    const lines = good.filter((_, i) => i !== fileLine - 1 && i !== fileLine);
    const message = await refusal(snapshotOf("no-contents.jsonl.gz", lines, { seal: true }));
    expect(message).toMatch(new RegExp(`line ${lineOf(/"table":"_storage"/) - 2}: stored file _storage_\\w+ names contents ".*" that the snapshot does not hold\\.`));
  });

  it("the same document twice (refused by the database, at its line)", async () => {
    const line = lineOf(/"type":"document","table":"messages"/);
    const lines = [...good.slice(0, line), good[line - 1]!, ...good.slice(line)];
    const id = (JSON.parse(good[line - 1]!) as { value: { _id: string } }).value._id;
    expect(await refusal(snapshotOf("twice.jsonl.gz", lines, { seal: true }))).toContain(`line ${line + 1}: Document ${id} appears twice.`);
  });

  it("a system row that does not match its table (refused by the database)", async () => {
    const line = lineOf(/"table":"_storage"/);
    const lines = edit(line, (entry) => ((entry.value as Record<string, unknown>).color = "red"));
    expect(await refusal(snapshotOf("bad-row.jsonl.gz", lines, { seal: true }))).toMatch(new RegExp(`line ${line}: Document _storage_\\w+ in table "_storage" does not match the schema: .*color`));
  });

  it("through the CLI: the line, exit code 1, and a target it had to create is gone again", async () => {
    const line = lineOf(/"type":"document"/);
    const lines = [...good];
    lines[line - 1] = "{not json";
    const fresh = join(dir, "fresh.sqlite");
    const result = await runCli(["import", "--db", fresh, snapshotOf("cli.jsonl.gz", lines)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cli.jsonl.gz, line ${line}: the line is not valid JSON`);
    expect(result.stderr).toContain(`Nothing was imported: ${fresh} is unchanged.`);
    expect(readdirSync(dir).filter((name) => name.startsWith("fresh.sqlite"))).toEqual([]);
  });
});
