// `syncline export` and `syncline import` between the engines, through the real CLI: a SQLite
// database moved to PostgreSQL and back comes back byte for byte (documents with their ids and
// creation times, tables and indexes, the installed schema, system tables, stored files), a live
// query over a real WebSocket against the imported Postgres database returns what it returned
// before, and a damaged snapshot imported into Postgres leaves it exactly as it was. Runs in the
// "postgres" vitest project (its temp cluster).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { encodeValue, type Value } from "syncline/values";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { runCli } from "../../helpers/cli-process.js";
import { dumpDatabase, dumpPostgres } from "../../helpers/database-dump.js";
import { ManualClock } from "../../helpers/manual-clock.js";
import { EDGE_VALUES, FILES, START } from "../../helpers/snapshot-project.js";
import { tempProject } from "../../helpers/temp-project.js";
import { testDatabase } from "../../helpers/test-database.js";
import { waitFor } from "../../helpers/wait.js";

const list = makeFunctionReference<"query", { room: string }, Value[]>("query", "notes:list");
const add = makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "notes:add");
const server = { origin: "server", identity: null } as const;
const cleanups = cleanupAfterEach();

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "syncline-snapshot-pg-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
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

async function subscribe(url: string): Promise<{ results: Value[][]; client: SynclineClient }> {
  const client = new SynclineClient(url, { WebSocket, logger: false });
  cleanups.push(() => client.close());
  const results: Value[][] = [];
  client.subscribe(list, { room: "a" }, (result) => results.push(result));
  await waitFor(() => results.length, (n) => n > 0);
  return { results, client };
}

const exact = (value: Value) => JSON.stringify(encodeValue(value));

/** `url` with a password in it: trust authentication ignores it, and no message may show it. */
function withPassword(url: string, password: string): string {
  return url.replace("postgres@", `postgres:${password}@`);
}

describe("export / import between SQLite and PostgreSQL", () => {
  it("SQLite -> PostgreSQL -> SQLite gives the same documents, ids, creation times, system tables and files; live queries answer the same", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const source = join(dir, "source.sqlite");
    const back = join(dir, "back.sqlite");
    const [first, second] = [join(dir, "from-sqlite.jsonl.gz"), join(dir, "from-postgres.jsonl.gz")];
    const postgres = withPassword(testDatabase(), "pa55-word");

    const before = await start(project.dir, source, new ManualClock(START));
    await value(before, "mutation", "notes:add", { room: "a", body: "edges", extra: EDGE_VALUES });
    for (let i = 0; i < 5; i++) await value(before, "mutation", "notes:add", { room: i % 2 === 0 ? "a" : "b", body: `note ${i}` });
    const fileId = (await value(before, "action", "notes:storeText", { text: "file contents" })) as string;
    await value(before, "action", "notes:storeText", { text: "file contents" });
    // A file larger than one Postgres chunk (256 KiB), so its bytes span several chunk rows.
    await value(before, "action", "notes:storeText", { text: "0123456789abcdef".repeat(20_000) });
    await value(before, "mutation", "notes:later", { name: "job", delayMs: 120_000 });
    const { results: seenBefore } = await subscribe(before.url);
    await before.close();
    const original = dumpDatabase(source);

    expect((await runCli(["export", "--db", source, first])).code).toBe(0);
    const intoPostgres = await runCli(["import", "--db", postgres, first]);
    expect(intoPostgres.stderr).toBe("");
    expect(intoPostgres.code).toBe(0);
    expect(intoPostgres.stdout).toMatch(/^Imported 11 documents in \d+ tables and 2 files/);
    expect(intoPostgres.stdout).toContain(postgres.replace(":pa55-word", ""));
    expect(intoPostgres.stdout).not.toContain("pa55-word");

    const inPostgres = await dumpPostgres(postgres);
    expect(inPostgres.documents).toEqual(original.documents);
    expect(inPostgres.tables).toEqual(original.tables);
    expect(inPostgres.userSchema).toBe(original.userSchema);
    expect(inPostgres.files).toEqual(original.files);
    expect(inPostgres.files.size).toBe(2);
    expect(inPostgres.lastTs).toBeGreaterThan(original.lastTs);

    const fromPostgres = await runCli(["export", "--db", postgres, second]);
    expect(fromPostgres.stderr).toBe("");
    expect(fromPostgres.code).toBe(0);
    expect(fromPostgres.stdout).toMatch(/^Exported 11 documents in \d+ tables and 2 files/);
    expect((await runCli(["import", "--db", back, second])).code).toBe(0);
    const roundTrip = dumpDatabase(back);
    expect(roundTrip.documents).toEqual(original.documents);
    expect(roundTrip.tables).toEqual(original.tables);
    expect(roundTrip.userSchema).toBe(original.userSchema);
    expect(roundTrip.files).toEqual(original.files);

    // A server on the imported Postgres database: the live query answers as before and stays live.
    const after = await start(project.dir, postgres, new ManualClock(START + 30_000));
    const { results: seenAfter, client } = await subscribe(after.url);
    expect(exact(seenAfter[0]!)).toBe(exact(seenBefore[0]!));
    await client.mutation(add, { room: "a", body: "on postgres" });
    await waitFor(() => seenAfter.length, (n) => n > 1);
    expect(seenAfter.at(-1)!.map((note) => (note as { body: string }).body)).toContain("on postgres");
    expect(after.db.latestTimestamp()).toBeGreaterThan(inPostgres.lastTs);
    const url = (await value(after, "query", "notes:fileUrl", { id: fileId })) as string;
    expect(await (await fetch(url)).text()).toBe("file contents");

    // And on SQLite again.
    const last = await start(project.dir, back, new ManualClock(START + 30_000));
    const { results: seenLast } = await subscribe(last.url);
    expect(exact(seenLast[0]!)).toBe(exact(seenBefore[0]!));
  });

  it("a damaged snapshot imported into PostgreSQL leaves it exactly as it was (documents, files, timestamps)", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const [good, damaged] = [join(dir, "good.jsonl.gz"), join(dir, "damaged.jsonl.gz")];
    const source = testDatabase();
    const one = await start(project.dir, source, new ManualClock(START));
    await value(one, "mutation", "notes:add", { room: "a", body: "in the snapshot" });
    await value(one, "action", "notes:storeText", { text: "a file of the snapshot" });
    await one.close();
    expect((await runCli(["export", "--db", source, good])).code).toBe(0);
    // A document altered: everything (files included) is loaded by the time the checksum on the
    // end line refuses it.
    const lines = gunzipSync(readFileSync(good)).toString("utf8").trimEnd().split("\n");
    const altered = lines.findIndex((line) => line.includes("in the snapshot"));
    expect(altered).toBeGreaterThan(0);
    lines[altered] = lines[altered]!.replace("in the snapshot", "in the snapshoT");
    writeFileSync(damaged, gzipSync(`${lines.join("\n")}\n`));

    const target = testDatabase();
    const two = await start(project.dir, target, new ManualClock(START));
    await value(two, "mutation", "notes:add", { room: "a", body: "already here" });
    await value(two, "action", "notes:storeText", { text: "a file only the target has" });
    await two.close();
    const untouched = await dumpPostgres(target);
    const refused = await runCli(["import", "--db", target, "--replace", damaged]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("checksum");
    expect(refused.stderr).toContain("Nothing was imported");
    expect(await dumpPostgres(target)).toEqual(untouched);

    // Into a new, empty database (no server ever ran on it): it stays empty, with no chunks
    // of the staged file left behind either.
    const empty = testDatabase();
    const refusedEmpty = await runCli(["import", "--db", empty, damaged]);
    expect(refusedEmpty.code).toBe(1);
    expect(refusedEmpty.stderr).toContain("checksum");
    const pristine = await dumpPostgres(empty);
    expect(pristine.documents.size).toBe(0);
    expect(pristine.files.size).toBe(0);
    expect(pristine.lastTs).toBe(0n);

    // The good snapshot goes in, and a second import without --replace is refused.
    expect((await runCli(["import", "--db", empty, good])).code).toBe(0);
    expect((await dumpPostgres(empty)).files).toEqual((await dumpPostgres(source)).files);
    const again = await runCli(["import", "--db", empty, good]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is not empty");
  });
  it("refuses a Postgres database a running server holds, and one that does not exist, in one line without the password", async () => {
    const project = tempProject(FILES, cleanups);
    const dir = scratch();
    const file = join(dir, "out.jsonl.gz");
    const held = withPassword(testDatabase(), "hidden-pw");
    const running = await start(project.dir, held, new ManualClock(START));
    await value(running, "mutation", "notes:add", { room: "a", body: "served" });
    for (const args of [["export", "--db", held, file], ["import", "--db", held, "--replace", file]]) {
      writeFileSync(file, "not read: the database is refused first");
      const refused = await runCli(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^Another Syncline server is already using PostgreSQL at 127\.0\.0\.1:\d+, database "t_[^"]+"\. Stop it first/);
      expect(refused.stderr).not.toContain("hidden-pw");
    }
    await running.close();
    const missing = held.replace(/\/t_[^/]+$/, "/no_such_db");
    const absent = await runCli(["export", "--db", missing, file]);
    expect(absent.code).toBe(1);
    expect(absent.stderr.trim()).toMatch(/^Cannot connect to PostgreSQL at 127\.0\.0\.1:\d+, database "no_such_db": the database does not exist/);
    expect(absent.stderr).not.toContain("hidden-pw");
    expect(absent.stderr.trim().split("\n")).toHaveLength(1);
  });
});
