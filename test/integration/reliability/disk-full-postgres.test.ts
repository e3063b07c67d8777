// A full disk under PostgreSQL, in the "postgres" project: a trigger on the documents table raises
// SQLSTATE 53100 (disk_full) for writes carrying a marker - the error Postgres raises when it
// cannot extend a file. The mutation meeting it fails with the same retryable message as on
// SQLite, the mutations around it are kept exactly once, queries keep serving, and once "space
// is back" (the trigger dropped) the same mutation succeeds with no restart.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { postgresBin } from "../../helpers/postgres-cluster.js";
import { call } from "../../helpers/server.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";
import { load, startReliabilityServer, synclineClient } from "./support.js";

const cleanups = cleanupAfterEach();
const FULL = /The database .* is full .*: this mutation was not applied\. Retry it once space is freed/;
const MARKER = "FILL-THE-DISK";

/** Runs `sql` on the test database at `url` with psql. */
function psql(url: string, sql: string): void {
  const database = new URL(url).pathname.slice(1);
  const { SYNCLINE_TEST_PG_DIR: dir, SYNCLINE_TEST_PG_PORT: port } = process.env;
  execFileSync(join(postgresBin()!, "psql"), ["-h", dir!, "-p", port!, "-U", "postgres", "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], { stdio: "pipe" });
}

describe.runIf(TEST_ENGINE === "postgres")("a full disk under PostgreSQL", () => {
  it("fails only the mutation that met disk_full, with the retryable message; the rest is kept and it succeeds once space is back", async () => {
    const db = testDatabase();
    const server = await startReliabilityServer(cleanups, { db });
    const client = synclineClient(server.url, cleanups);
    expect(await client.mutation(load.increment, { name: "before" })).toBe(1);
    psql(
      db,
      `CREATE FUNCTION fill_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.json LIKE '%${MARKER}%' THEN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END IF;
         RETURN NEW; END $$;
       CREATE TRIGGER fill_disk BEFORE INSERT OR UPDATE ON syncline_documents FOR EACH ROW EXECUTE FUNCTION fill_disk();`,
    );

    await expect(client.mutation(load.increment, { name: MARKER })).rejects.toThrow(FULL);
    // Sent together, so they share write batches with the one that fails; a few rounds, since
    // how the batches are cut varies (a batch once committed its other mutations twice).
    for (let round = 0; round < 3; round++) {
      const name = (i: number) => `ok-${round}-${i}`;
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => call(server.url, "mutation", "load:increment", { name: name(i) })),
        call(server.url, "mutation", "load:increment", { name: MARKER }),
        ...Array.from({ length: 10 }, (_, i) => call(server.url, "mutation", "load:increment", { name: name(i + 10) })),
      ]);
      const refused = answers.splice(10, 1)[0]!;
      expect(String(refused.body.errorMessage)).toMatch(FULL);
      expect(answers.map((answer) => answer.body.status)).toEqual(answers.map(() => "success"));
      const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => client.query(load.count, { name: name(i) })));
      expect(counts, `round ${round}`).toEqual(counts.map(() => 1));
    }
    expect(await client.query(load.count, { name: MARKER })).toBe(0);

    psql(db, "DROP TRIGGER fill_disk ON syncline_documents");
    expect(await client.mutation(load.increment, { name: MARKER })).toBe(1);
    expect(await client.query(load.count, { name: "before" })).toBe(1);
  }, 60_000);
});
