// Durability: data survives a restart on the same file, a `kill -9` in the middle of a stream
// of mutations loses no write that was acknowledged, and one file never has two servers.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startChildServer, type ChildServer } from "../helpers/child-server.js";
import { DatabaseInUseError } from "syncline/server";
import { call, FIXTURE_DIR, startTestServer } from "../helpers/server.js";

let scratch: string | undefined;
let child: ChildServer | undefined;
afterEach(async () => {
  await child?.kill();
  child = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});
const dbFile = () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-durability-"));
  return join(scratch, "data.sqlite");
};

describe("durability", () => {
  it("data survives a server restart on the same file", async () => {
    const file = dbFile();
    const first = await startTestServer({ db: file });
    await call(first.url, "mutation", "behaviour:send", { room: "kept", body: "hello" });
    await first.close();
    const second = await startTestServer({ db: file });
    try {
      const answer = await call(second.url, "query", "behaviour:listRoom", { room: "kept" });
      expect(answer.body.value).toMatchObject([{ room: "kept", body: "hello" }]);
    } finally {
      await second.close();
    }
  });

  it("kill -9 during a stream of mutations loses no acknowledged write", async () => {
    const file = dbFile();
    child = await startChildServer(FIXTURE_DIR, file);
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const answer = await call(child!.url, "mutation", "behaviour:send", { room: "stream", body: `${worker}-${i}` });
          if (answer.body.status === "success") acknowledged.push(answer.body.value as string);
        } catch {
          return; // the server died under us: this write was never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, worker) => writer(worker));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    await child.kill();
    stop = true;
    await Promise.all(writers);
    const count = acknowledged.length;

    child = await startChildServer(FIXTURE_DIR, file);
    const answer = await call(child.url, "query", "behaviour:listRoom", { room: "stream" });
    const present = new Set((answer.body.value as { _id: string }[]).map((doc) => doc._id));
    expect(count).toBeGreaterThanOrEqual(300);
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
  });
});

describe("one server per database file", () => {
  it("a second server on the same file is refused with a clear error, in this process or another, until the first is gone", async () => {
    const file = dbFile();
    const first = await startTestServer({ db: file });
    await expect(startTestServer({ db: file })).rejects.toThrow(`Another Syncline server, listening on ${first.url}, is using the database ${file}.`);
    await call(first.url, "mutation", "behaviour:send", { room: "lock", body: "still fine" });
    await first.close();

    child = await startChildServer(FIXTURE_DIR, file);
    await expect(startTestServer({ db: file })).rejects.toThrow(DatabaseInUseError);
    await expect(startTestServer({ db: file })).rejects.toThrow(`listening on ${child.url},`); // another process's URL too
    await child.kill(); // kill -9: the OS lets go of the lock with the process
    child = undefined;
    const next = await startTestServer({ db: file });
    try {
      const answer = await call(next.url, "query", "behaviour:listRoom", { room: "lock" });
      expect(answer.body.value).toMatchObject([{ body: "still fine" }]);
    } finally {
      await next.close();
    }
  });
});
