// A SQLite database the server cannot open - the file read-only, its folder read-only, its folder
// missing and not creatable, a file where its folder should be - gives one clear line and a
// non-zero exit from `syncline dev`, a DatabaseOpenError with the same line from `startServer`,
// and changes nothing on disk. Root ignores file permissions, so as root the processes run in a
// user namespace of their own (`unshare --user`), where they do not.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import { CLI } from "../../helpers/cli-process.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { RELIABILITY_DIR } from "./support.js";

const cleanups = cleanupAfterEach();
const REPO = join(import.meta.dirname, "../../..");
const START_SERVER = join(import.meta.dirname, "support/start-server-error.ts");
const asRoot = process.getuid?.() === 0;
const canDropPrivileges = !asRoot || spawnSync("unshare", ["--user", "true"]).status === 0;

/** Runs node with `args` without root's privileges; resolves to its exit code and output. */
function runUnprivileged(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, rest] = asRoot ? ["unshare", ["--user", process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve) => {
    const child = spawn(command, rest, { cwd: REPO });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "syncline-open-faults-"));
  cleanups.push(() => {
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A database file with one document, closed (so no -wal or -shm file stays beside it). */
async function existingDatabase(folder: string): Promise<string> {
  const file = join(folder, "data.sqlite");
  const db = await openDatabase({ path: file });
  await db.write((tx) => tx.db.insert("notes", { body: "kept" }));
  await db.close();
  return file;
}

/** Each case: the database path after setting the fault up, and the one line expected. */
const cases: { name: string; setUp(dir: string): Promise<string> | string; line(dir: string): string }[] = [
  {
    name: "a read-only database file",
    async setUp(dir) {
      const file = await existingDatabase(dir);
      chmodSync(file, 0o444);
      return file;
    },
    line: (dir) => `Cannot open the database ${dir}/data.sqlite: the file is read-only. Make it writable, or give another path with --db.`,
  },
  {
    name: "a read-only folder holding the database",
    async setUp(dir) {
      const file = await existingDatabase(dir);
      rmSync(`${file}.lock`);
      chmodSync(dir, 0o555);
      return file;
    },
    line: (dir) =>
      `Cannot open the database ${dir}/data.sqlite: its folder ${dir} is read-only. SQLite keeps its -wal, -shm and .lock files beside the database, so the folder must be writable (or give another path with --db).`,
  },
  {
    name: "a missing folder under a read-only one",
    setUp(dir) {
      chmodSync(dir, 0o555);
      return join(dir, "gone", "data.sqlite");
    },
    line: (dir) => `Cannot open the database ${dir}/gone/data.sqlite: its folder ${dir}/gone does not exist and cannot be created (${dir} is read-only).`,
  },
  {
    name: "a file where the database's folder should be",
    setUp(dir) {
      writeFileSync(join(dir, "taken"), "not a folder");
      return join(dir, "taken", "data.sqlite");
    },
    line: (dir) => `Cannot open the database ${dir}/taken/data.sqlite: ${dir}/taken is a file, not a folder.`,
  },
];

/**
 * The folder's files with content, and a hash of each, to show nothing changed. SQLite may leave
 * an empty -wal file and its -shm index (rebuilt on every open, holding no data) beside a
 * read-only database it tried; the lock file is empty.
 */
function contentsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith("-shm")) continue;
    const content = readFileSync(join(dir, name));
    if (content.length > 0) out[name] = createHash("sha256").update(content).digest("hex");
  }
  return out;
}

describe.runIf(canDropPrivileges)("a database the server cannot open", () => {
  for (const fault of cases) {
    it(`${fault.name}: syncline dev prints one line and exits non-zero; startServer throws it; nothing changes`, async () => {
      const dir = tempFolder();
      const db = await fault.setUp(dir);
      const before = contentsOf(dir);
      const expected = fault.line(dir);

      const dev = await runUnprivileged(["--import", "tsx", CLI, "dev", "--dir", RELIABILITY_DIR, "--port", "0", "--no-typecheck", "--db", db]);
      expect(dev.code).not.toBe(0);
      expect(dev.code).not.toBeNull();
      expect(dev.stderr.trim().split("\n")).toEqual([expected]);
      expect(dev.stdout).not.toContain("API:");

      const started = await runUnprivileged(["--import", "tsx", START_SERVER, db]);
      expect(JSON.parse(started.stdout)).toEqual({ name: "DatabaseOpenError", message: expected });

      expect(contentsOf(dir)).toEqual(before);
    }, 60_000);
  }

  it("a file in the way of the folder fails the same in this very process", async () => {
    const dir = tempFolder();
    writeFileSync(join(dir, "taken"), "x");
    const { startServer } = await import("syncline/server");
    const error = await startServer({ dir: RELIABILITY_DIR, port: 0, db: join(dir, "taken", "data.sqlite") }).then(
      () => undefined,
      (thrown: Error) => thrown,
    );
    expect(error?.name).toBe("DatabaseOpenError");
    expect(error?.message).toBe(`Cannot open the database ${dir}/taken/data.sqlite: ${dir}/taken is a file, not a folder.`);
  });
});
