// A follower that fell behind the commit log's retention (the rows it still needed were pruned)
// cannot bring its subscriptions up to date from the log: it stops, saying why, instead of
// serving results that missed commits.

import { describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "../../../src/server/db/index.js";
import type { PostgresDatabase } from "../../../src/server/db/postgres/database.js";
import { SERVER_SYSTEM_TABLES } from "../../../src/server/server-storage.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";

const cleanups = cleanupAfterEach();
const postgres = usePostgresCluster();

async function open(url: string, nodeId: string): Promise<PostgresDatabase> {
  const db = (await openDatabase({ path: url, systemTables: SERVER_SYSTEM_TABLES, commitLogRetentionMs: 1, cluster: { nodeId } })) as OpenedDatabase as PostgresDatabase;
  cleanups.push(() => db.close());
  return db;
}

const insert = (db: PostgresDatabase, body: string) => db.write((tx) => tx.db.insert("notes", { body }));

describe("commit log retention", () => {
  it("a follower that missed pruned commits stops (fenced off, with the reason) instead of serving stale results", async () => {
    const url = postgres.createDatabase();
    const leader = await open(url, "leader");
    const follower = await open(url, "follower");
    const stopped: Error[] = [];
    follower.cluster!.onFenced((error) => stopped.push(error));
    // The follower sleeps (no catch-up, no take-over) while commits come and go.
    follower.cluster!.stop();
    await follower.cluster!.tail.stop();
    await insert(leader, "missed");
    await leader.close();
    // The next leader's first batch prunes the log (retention 1 ms): "missed" is gone from it.
    const next = await open(url, "next");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await insert(next, "later");
    expect(postgres.psql("SELECT count(*) FROM syncline_commit_log", url.split("/").pop()).trim()).toBe("1");

    await follower.cluster!.tail.start();
    await waitFor(() => stopped.length, (n) => n === 1);
    expect(stopped[0]!.message).toMatch(/fell behind the commit log's retention/);
    await expect(follower.read(async () => 1)).rejects.toThrow(/fell behind/);
  });

  it("a follower that had applied every commit the log dropped goes on normally", async () => {
    const url = postgres.createDatabase();
    const leader = await open(url, "leader");
    const follower = await open(url, "follower");
    const { ts } = await insert(leader, "seen");
    expect(await follower.cluster!.waitForApplied(ts, 5_000)).toBe(true);
    follower.cluster!.stop(); // it keeps following, but does not take over
    const stopped: Error[] = [];
    follower.cluster!.onFenced((error) => stopped.push(error));
    await leader.close();
    const next = await open(url, "next");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { ts: later } = await insert(next, "later"); // prunes "seen", which the follower has
    expect(postgres.psql("SELECT count(*) FROM syncline_commit_log", url.split("/").pop()).trim()).toBe("1");
    expect(await follower.cluster!.waitForApplied(later, 5_000)).toBe(true);
    expect(stopped).toEqual([]);
  });
});
