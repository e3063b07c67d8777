// What the mutations of one group-commit batch see of each other: every mutation reads what the
// mutations before it in the batch wrote and what it wrote itself; one that throws - before or
// after reading its own writes - leaves nothing, and its neighbours commit. On PostgreSQL writes
// are held until a read or the COMMIT needs them (postgres/held-writes.ts), so this is also
// where a write Postgres refuses is shown to fail its own mutation only.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { postgresBin } from "../../helpers/postgres-cluster.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";
import { rejection, testDb } from "./helpers.js";

const names = (docs: readonly Record<string, unknown>[]) => docs.map((doc) => doc.name).sort();

describe("the mutations of one batch", () => {
  it("see earlier mutations' writes and their own; one that throws (after reading its writes or not) leaves nothing", async () => {
    const db = await testDb();
    const first = db.write((tx) => tx.db.insert("items", { name: "a" }));
    const readsThenThrows = db.write(async (tx) => {
      const before = names(await tx.db.query("items").collect());
      await tx.db.insert("items", { name: "b" });
      const after = names(await tx.db.query("items").collect());
      throw new Error(`saw ${before.join(",")} then ${after.join(",")}`);
    });
    const readsOwn = db.write(async (tx) => {
      const id = await tx.db.insert("items", { name: "c" });
      const own = await tx.db.get(id);
      await tx.db.insert("items", { name: "c2" }); // written after its last read: sent with the COMMIT
      return [own?.name, names(await tx.db.query("items").collect())];
    });
    const throwsUnread = db.write(async (tx) => {
      await tx.db.insert("items", { name: "d" });
      await tx.db.insert("other", { name: "d" });
      throw new Error("changed my mind");
    });
    const last = db.write(async (tx) => names(await tx.db.query("items").collect()));

    await first;
    expect((await rejection(readsThenThrows)).message).toBe("saw a then a,b");
    expect((await readsOwn).result).toEqual(["c", ["a", "c", "c2"]]);
    expect((await rejection(throwsUnread)).message).toBe("changed my mind");
    expect((await last).result).toEqual(["a", "c", "c2"]);
    const { result } = await db.read(async (tx) => [names(await tx.db.query("items").collect()), await tx.db.query("other").collect()]);
    expect(result).toEqual([["a", "c", "c2"], []]);
    expect(db.stats()).toMatchObject({ batches: 1, commits: 3, rollbacks: 2 });
  });

  it("a mutation that reads, writes and reads again in a loop sees each of its writes", async () => {
    const db = await testDb();
    const { result } = await db.write(async (tx) => {
      const counts: number[] = [];
      for (let i = 0; i < 5; i++) {
        await tx.db.insert("items", { name: `n${i}` });
        counts.push((await tx.db.query("items").collect()).length);
      }
      return counts;
    });
    expect(result).toEqual([1, 2, 3, 4, 5]);
  });
});

/** Runs `sql` on the test database at `url`; returns psql's unaligned output. */
function psql(url: string, sql: string): string {
  const database = new URL(url).pathname.slice(1);
  const { SYNCLINE_TEST_PG_DIR: dir, SYNCLINE_TEST_PG_PORT: port } = process.env;
  return execFileSync(join(postgresBin()!, "psql"), ["-h", dir!, "-p", port!, "-U", "postgres", "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
}

describe.runIf(TEST_ENGINE === "postgres")("a write PostgreSQL refuses inside a batch", () => {
  it("fails only its own mutation - held to the COMMIT, sent for a read, or swallowed before a rollback revived the transaction; the others commit once", async () => {
    const url = testDatabase();
    const db = await testDb({ path: url });
    await db.write((tx) => tx.db.insert("items", { name: "seed" })); // the tables exist
    psql(
      url,
      `CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.json LIKE '%POISON%' THEN RAISE EXCEPTION 'refused: poisoned document'; END IF;
         RETURN NEW; END $$;
       CREATE TRIGGER refuse_poison BEFORE INSERT ON syncline_documents FOR EACH ROW EXECUTE FUNCTION refuse_poison();`,
    );
    const commits: bigint[] = [];
    db.onCommit((commit) => commits.push(commit.ts));
    const POISONED = "refused: poisoned document";
    const ok = (name: string) => db.write((tx) => tx.db.insert("items", { name }));
    // Held to the COMMIT: the batch fails there and runs again with each write checked.
    const held = () => db.write((tx) => tx.db.insert("items", { name: "POISON held" }));
    // Sent for its own read (behind a savepoint): the read fails, the mutation rolls back alone.
    const read = () =>
      db.write(async (tx) => {
        await tx.db.insert("items", { name: "POISON read" });
        return tx.db.query("items").collect();
      });
    // Swallows the failed read and returns: it must not be answered as committed.
    const swallowed = () =>
      db.write(async (tx) => {
        await tx.db.insert("items", { name: "POISON swallowed" });
        await tx.db.query("items").collect().catch(() => undefined);
        return "done";
      });
    // Rolls back to its savepoint after the failure above: that revives the aborted transaction.
    const rollsBack = () =>
      db.write(async (tx) => {
        await tx.db.insert("items", { name: "rolled back" });
        await tx.db.query("items").collect().catch(() => undefined);
        throw new Error("changed my mind");
      });
    const rounds = [
      { name: "both", writes: () => [ok("both-0"), held(), ok("both-1"), read(), ok("both-2")], fails: [1, 3] },
      { name: "held only", writes: () => [ok("held-0"), held(), ok("held-1")], fails: [1] },
      { name: "revived", writes: () => [ok("revived-0"), swallowed(), rollsBack(), ok("revived-1")], fails: [1, 2] },
    ];
    for (const round of rounds) {
      const settled = await Promise.allSettled(round.writes());
      const errors = settled.map((s) => (s.status === "rejected" ? (s.reason as Error).message : "ok"));
      expect(errors, round.name).toEqual(errors.map((_, i) => (!round.fails.includes(i) ? "ok" : round.name === "revived" && i === 2 ? "changed my mind" : expect.stringContaining(POISONED))));
    }
    const { result } = await db.read(async (tx) => names(await tx.db.query("items").collect()));
    expect(result).toEqual(["both-0", "both-1", "both-2", "held-0", "held-1", "revived-0", "revived-1", "seed"]);
    expect(commits).toHaveLength(7);
    for (let i = 1; i < commits.length; i++) expect(commits[i]! > commits[i - 1]!).toBe(true);
  });
});

describe.runIf(TEST_ENGINE === "postgres")("the epoch fence of a batch that starts without waiting for it", () => {
  it("after a committed batch the mutations run at once, but a bumped epoch still refuses the COMMIT and stores nothing", async () => {
    const url = testDatabase();
    const db = await testDb({ path: url });
    await db.write((tx) => tx.db.insert("items", { name: "before" })); // committed: the next batch does not wait for its checks
    psql(url, "UPDATE syncline_leader SET epoch = epoch + 1 WHERE id = 1"); // another node became the leader
    const refused = await rejection(db.write((tx) => tx.db.insert("items", { name: "after" })));
    expect(refused.message).toMatch(/a newer leader \(epoch \d+\) took over from this node/);
    expect(psql(url, "SELECT count(*) FROM syncline_documents WHERE json LIKE '%\"after\"%'").trim()).toBe("0");
    expect((await rejection(db.write((tx) => tx.db.insert("items", { name: "later" })))).message).toMatch(/newer leader/);
  });
});
