// `syncline export` and `syncline import` through the real CLI (on SQLite files; the non-empty and
// exactly-once cases on the engine under test, Postgres in the "postgres" project): a database
// comes back byte for byte (documents with their ids and creation times, tables and indexes, the
// installed schema, system tables, stored files), commit timestamps keep increasing after the
// import, a live query over a real WebSocket returns what it returned before (and stays live), a
// scheduled job and a cron go on where they were, and the guard rails (non-empty target,
// --replace, a database a running server holds) behave.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { encodeValue, type Value } from "syncline/values";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { CLI, runCli } from "../helpers/cli-process.js";
import { dumpAny, dumpDatabase } from "../helpers/database-dump.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { tempProject } from "../helpers/temp-project.js";
import { TEST_ENGINE, testDatabase } from "../helpers/test-database.js";
import { EDGE_VALUES, FILES, START } from "../helpers/snapshot-project.js";
import { waitFor } from "../helpers/wait.js";

const list = makeFunctionReference<"query", { room: string }, Value[]>("query", "notes:list");
const add = makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "notes:add");
const server = { origin: "server", identity: null } as const;

const cleanups = cleanupAfterEach();

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A new database on the engine under test: a SQLite file in `dir`, or a Postgres database in the "postgres" project. */
function database(dir: string, file: string): string {
  return TEST_ENGINE === "postgres" ? testDatabase() : join(dir, file);
}

async function start(dir: string, db: string, clock: ManualClock): Promise<RunningServer> {
  const running = await startServer({ dir, db, port: 0, sitePort: 0, clock });
  cleanups.push(() => running.close());
  return running;
}

async function value(running: RunningServer, kind: "query" | "mutation" | "action", name: string, args: Record<string, Value> = {}): Promise<Value> {
  const outcome = await running.runtime[kind](name, args, server);
  if (!outcome.ok) throw new Error(`${name}: ${outcome.message}`);
  return outcome.value;
}

/** The first result of a subscription over a real WebSocket, and the client (closed after the test). */
async function subscribe(url: string): Promise<{ results: Value[][]; client: SynclineClient }> {
  const client = new SynclineClient(url, { WebSocket, logger: false });
  cleanups.push(() => client.close());
  const results: Value[][] = [];
  client.subscribe(list, { room: "a" }, (result) => results.push(result));
  await waitFor(() => results.length, (n) => n > 0);
  return { results, client };
}

const exact = (value: Value) => JSON.stringify(encodeValue(value));

describe("syncline export / import", () => {
  it("a database comes back byte for byte and keeps working: live queries, a scheduled job, a cron, stored files", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const [source, target, file] = [join(dir, "source.sqlite"), join(dir, "target.sqlite"), join(dir, "backup.jsonl.gz")];

    const before = await start(project.dir, source, new ManualClock(START));
    await value(before, "mutation", "notes:add", { room: "a", body: "edges", extra: EDGE_VALUES });
    for (let i = 0; i < 5; i++) await value(before, "mutation", "notes:add", { room: i % 2 === 0 ? "a" : "b", body: `note ${i}` });
    const fileId = (await value(before, "action", "notes:storeText", { text: "file contents" })) as string;
    await value(before, "action", "notes:storeText", { text: "file contents" }); // the same bytes: one blob, two rows
    await value(before, "action", "notes:storeText", { text: "other contents" });
    await value(before, "mutation", "notes:later", { name: "job", delayMs: 120_000 });
    const { results: seenBefore } = await subscribe(before.url);
    await before.close();
    const dumped = dumpDatabase(source);

    const exported = await runCli(["export", "--db", source, file]);
    expect(exported.stderr).toBe(""); // not a terminal: no progress
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^Exported 11 documents in \d+ tables and 2 files/);
    const imported = await runCli(["import", "--db", target, file]);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported 11 documents in \d+ tables and 2 files/);

    const restored = dumpDatabase(target);
    expect(restored.documents).toEqual(dumped.documents);
    expect([...restored.documents.keys()].filter((id) => id.startsWith("_cron_jobs_"))).toHaveLength(1);
    expect([...restored.documents.keys()].filter((id) => id.startsWith("_scheduled_functions_"))).toHaveLength(1);
    expect([...restored.documents.keys()].filter((id) => id.startsWith("_storage_"))).toHaveLength(3);
    expect(restored.tables).toEqual(dumped.tables);
    expect(restored.userSchema).toBe(dumped.userSchema);
    expect(restored.files).toEqual(dumped.files);
    expect(restored.files.size).toBe(2);
    // Later commits go after everything imported: the source's last commit and every creation time.
    expect(restored.lastTs).toBeGreaterThan(dumped.lastTs);
    const newestCreation = Math.max(...[...dumped.documents.values()].map((json) => (JSON.parse(json) as { _creationTime: number })._creationTime));
    expect(restored.lastTs).toBeGreaterThan(BigInt(Math.ceil(newestCreation)) * 1_000_000n);

    // Half a minute later: the imported cron row is due at START + 1 min (a cron made afresh
    // would be due a minute after this start), the job at START + 2 min.
    const clock = new ManualClock(START + 30_000);
    const after = await start(project.dir, target, clock);
    const { results: seenAfter, client } = await subscribe(after.url);
    expect(exact(seenAfter[0]!)).toBe(exact(seenBefore[0]!));
    expect(seenAfter[0]).toHaveLength(4);
    // Still live: a write on the imported database reaches the subscription, and commits after
    // the import get timestamps above the imported ones.
    await client.mutation(add, { room: "a", body: "after the import" });
    await waitFor(() => seenAfter.length, (n) => n > 1);
    expect(seenAfter.at(-1)!.map((note) => (note as { body: string }).body)).toContain("after the import");
    expect(after.db.latestTimestamp()).toBeGreaterThan(restored.lastTs);

    // The stored file is served from the imported store.
    const url = (await value(after, "query", "notes:fileUrl", { id: fileId })) as string;
    expect(await (await fetch(url)).text()).toBe("file contents");

    // The cron keeps its phase, the job its time.
    clock.advance(30_000);
    await waitFor(() => value(after, "query", "notes:ticks"), (names) => (names as string[]).includes("cron"));
    expect(await value(after, "query", "notes:ticks")).toEqual(["cron"]);
    clock.advance(60_000);
    await waitFor(() => value(after, "query", "notes:ticks"), (names) => (names as string[]).includes("job"));
    expect(await value(after, "query", "notes:ticks")).toEqual(["cron", "cron", "job"]);
  });

  it("refuses a target that holds documents, and --replace replaces it (its files too)", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const [first, second, file] = [database(dir, "first.sqlite"), database(dir, "second.sqlite"), join(dir, "first.jsonl.gz")];
    const one = await start(project.dir, first, new ManualClock(START));
    await value(one, "mutation", "notes:add", { room: "a", body: "from the snapshot" });
    await one.close();
    const two = await start(project.dir, second, new ManualClock(START));
    await value(two, "mutation", "notes:add", { room: "a", body: "already here" });
    await value(two, "action", "notes:storeText", { text: "a file only the target has" });
    await two.close();
    expect((await runCli(["export", "--db", first, file])).code).toBe(0);
    const untouched = await dumpAny(second);

    const refused = await runCli(["import", "--db", second, file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The database ${second} is not empty: an import goes only into an empty database.`);
    expect(refused.stderr).toContain("--replace");
    expect(await dumpAny(second)).toEqual(untouched);

    const replaced = await runCli(["import", "--db", second, "--replace", file]);
    expect(replaced.code).toBe(0);
    const after = await dumpAny(second);
    expect(after.documents).toEqual((await dumpAny(first)).documents);
    expect(after.files.size).toBe(0); // the replaced file's contents are gone with its row
  });

  it("refuses a database a running server holds, a missing one, :memory: and a snapshot it cannot write", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const db = join(dir, "held.sqlite");
    const running = await start(project.dir, db, new ManualClock(START));
    writeFileSync(join(dir, "out.jsonl.gz"), "not read: the database is refused first");
    for (const args of [["export", "--db", db, join(dir, "out.jsonl.gz")], ["import", "--db", db, join(dir, "out.jsonl.gz")]]) {
      const held = await runCli(args);
      expect(held.code).toBe(1);
      expect(held.stderr).toContain(`Another Syncline server is using the database ${db}`);
    }
    await running.close();
    const missing = await runCli(["export", "--db", join(dir, "nothing.sqlite"), join(dir, "out.jsonl.gz")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no database at");
    expect(() => statSync(join(dir, "nothing.sqlite"))).toThrow(); // not created by asking
    const nowhere = await runCli(["export", "--db", db, join(dir, "no-such-folder", "out.jsonl.gz")]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(`Cannot write the snapshot ${join(dir, "no-such-folder", "out.jsonl.gz")}: ENOENT.`);
    const memory = await runCli(["export", "--db", ":memory:", join(dir, "out.jsonl.gz")]);
    expect(memory.code).toBe(1);
    expect(memory.stderr).toContain("export and import need a database file");
  });

  it("shows progress on a terminal (and only there)", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const [db, file] = [join(dir, "data.sqlite"), join(dir, "out.jsonl.gz")];
    const running = await start(project.dir, db, new ManualClock(START));
    await value(running, "mutation", "notes:add", { room: "a", body: "one" });
    await running.close();
    // `script` runs the command on a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, "--import", "tsx", CLI, "export", "--db", db, file].map((arg) => `'${arg}'`).join(" ");
    const { stdout } = await promisify(execFile)("script", ["-qec", command, "/dev/null"], { cwd: join(import.meta.dirname, "../..") });
    expect(stdout).toMatch(/\rExporting: \d+\/\d+ tables, \d+ documents, 0 files, [\d.]+ MB/);
    expect(stdout).toContain("Exported 2 documents");
  });

  it("exactly-once records come along: a mutation resent to the imported database is answered from its record", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const [source, target, file] = [database(dir, "source.sqlite"), database(dir, "target.sqlite"), join(dir, "out.jsonl.gz")];
    const sessionId = crypto.randomUUID();
    const send = async (url: string) => {
      const socket = await openRawSocket(url, { sessionId });
      socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
      await socket.next("Transition");
      socket.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ room: "a", body: "exactly once" }] as never });
      const response = await socket.next("MutationResponse");
      socket.close();
      return response;
    };
    const before = await start(project.dir, source, new ManualClock(START));
    const first = await send(before.url);
    expect(first).toMatchObject({ success: true });
    await before.close();
    expect((await runCli(["export", "--db", source, file])).code).toBe(0);
    expect((await runCli(["import", "--db", target, file])).code).toBe(0);

    const after = await start(project.dir, target, new ManualClock(START));
    // The client never saw the answer (say the old server went away first) and resends.
    expect(await send(after.url)).toEqual(first);
    expect(await value(after, "query", "notes:list", { room: "a" })).toHaveLength(1);
  });
});
