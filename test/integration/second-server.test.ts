// A second server refused a database says where the first one listens: the first records its URL
// next to the database while it runs, and a record a killed server left behind is ignored.

import { existsSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { readServerRecord } from "../../src/server/server-record.js";
import { startChildServer } from "../helpers/child-server.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";

const cleanups = cleanupAfterEach();
const refusal = (url: string, db: string) =>
  `Another Syncline server, listening on ${url}, is using the database ${db}. Two servers on one database would interleave its history: stop the other one (or give this one its own database with --db).`;

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

describe("a second server on a database", () => {
  it("is refused with the URL of the first, which removes its record when it closes", async () => {
    const p = tempProject({ "a.ts": `import { query } from "syncline/server"; export const q = query(() => 1);` }, cleanups);
    const db = join(p.root, "data.sqlite");
    const first = await startServer({ dir: p.dir, port: 0, db });
    await expect(startServer({ dir: p.dir, port: 0, db })).rejects.toMatchObject({ name: "DatabaseInUseError", message: refusal(first.url, db) });
    await first.close();
    expect(existsSync(`${db}.server.json`)).toBe(false);
  });

  it("after the first was killed: starts, and the next one is refused with the new URL, not the dead one's", async () => {
    const p = tempProject({ "a.ts": `import { query } from "syncline/server"; export const q = query(() => 1);` }, cleanups);
    const db = join(p.root, "data.sqlite");
    const killed = await startChildServer(p.dir, db);
    await killed.kill(); // SIGKILL: its record stays behind
    expect(existsSync(`${db}.server.json`)).toBe(true);
    expect(readServerRecord(db)).toBeUndefined(); // its process is gone

    const second = await startServer({ dir: p.dir, port: 0, db });
    cleanups.push(() => second.close());
    expect(readServerRecord(db)).toEqual({ pid: process.pid, url: second.url });
    await expect(startServer({ dir: p.dir, port: 0, db })).rejects.toMatchObject({ name: "DatabaseInUseError", message: refusal(second.url, db) });
  });

  it("says no URL when the record is stale or unreadable", async () => {
    const p = tempProject({ "a.ts": `import { query } from "syncline/server"; export const q = query(() => 1);` }, cleanups);
    const db = join(p.root, "data.sqlite");
    const first = await startServer({ dir: p.dir, port: 0, db });
    cleanups.push(() => first.close());
    const plain = `Another Syncline server is using the database ${db}. Two servers on one database would interleave its history: stop the other one (or give this one its own database with --db).`;
    writeFileSync(`${db}.server.json`, JSON.stringify({ pid: deadPid(), url: "http://127.0.0.1:1" }));
    await expect(startServer({ dir: p.dir, port: 0, db })).rejects.toMatchObject({ name: "DatabaseInUseError", message: plain });
    writeFileSync(`${db}.server.json`, "{ half a reco");
    await expect(startServer({ dir: p.dir, port: 0, db })).rejects.toMatchObject({ name: "DatabaseInUseError", message: plain });
  });
});
