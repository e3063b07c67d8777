// The PostgreSQL engine against faults and bad input, on a cluster of this file's own (so it can
// be stopped, restarted and have its connections killed): clear one-line refusals that name host,
// port and database but never the password; no acknowledged mutation lost or applied twice when
// Postgres crashes and restarts, or its connections are terminated, while clients stream
// mutations; subscriptions that recover by themselves.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { runCli } from "../../helpers/cli-process.js";
import { freePort, startPostgresCluster, type PostgresCluster } from "../../helpers/postgres-cluster.js";
import { call, FIXTURE_DIR, recordingLogger } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";

const PASSWORD = "s3cret-Pa55";
const cleanups = cleanupAfterEach();
let cluster: PostgresCluster;

beforeAll(async () => {
  cluster = await startPostgresCluster({}, { password: PASSWORD });
}, 120_000);
afterAll(() => cluster?.destroy());

const start = (db: string) => startServer({ dir: FIXTURE_DIR, port: 0, db });

async function startError(db: string): Promise<string> {
  try {
    const server = await start(db);
    await server.close();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the server to refuse the database");
}

describe("bad input: one clear line, never the password", () => {
  it("refuses a wrong password, a missing database, a closed port, naming host, port and database", async () => {
    const wrong = cluster.url("postgres").replace(PASSWORD, "nope-nope");
    const closed = `postgres://postgres:${PASSWORD}@127.0.0.1:${await freePort()}/app`;
    const messages = [await startError(wrong), await startError(cluster.url("no_such_db")), await startError(closed)];
    expect(messages[0]).toBe(`Cannot connect to PostgreSQL at 127.0.0.1:${cluster.port}, database "postgres": authentication failed for user "postgres".`);
    expect(messages[1]).toBe(`Cannot connect to PostgreSQL at 127.0.0.1:${cluster.port}, database "no_such_db": the database does not exist (create it first: createdb no_such_db).`);
    expect(messages[2]).toMatch(/^Cannot connect to PostgreSQL at 127\.0\.0\.1:\d+, database "app": connection refused/);
    for (const message of messages) {
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain("\n");
    }
  });

  it("refuses a database that holds another program's tables, and changes nothing in it", async () => {
    const url = cluster.createDatabase("shop");
    cluster.psql("CREATE TABLE orders (id int)", "shop");
    expect(await startError(url)).toBe(`Refusing to use PostgreSQL at 127.0.0.1:${cluster.port}, database "shop": it holds tables of another program ("orders"). Give Syncline a database of its own.`);
    expect(cluster.psql("SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'", "shop").trim()).toBe("orders");
  });

  it("a second server on the same database follows the first instead of being refused, and takes over once it stopped", async () => {
    const url = cluster.createDatabase();
    const first = await startServer({ dir: FIXTURE_DIR, port: 0, db: url, nodeId: "first" });
    const second = await startServer({ dir: FIXTURE_DIR, port: 0, db: url, nodeId: "second" });
    cleanups.push(() => second.close());
    expect([first.db.cluster?.role, second.db.cluster?.role]).toEqual(["leader", "follower"]);
    expect((await call(first.url, "mutation", "counter:increment", { name: "n" })).body.value).toBe(1);
    // Without a shared node secret a follower cannot forward: a clear error, nothing written.
    const refused = await call(second.url, "mutation", "counter:increment", { name: "n" });
    expect(refused.body.errorMessage).toContain("SYNCLINE_NODE_SECRET");
    await waitFor(() => call(second.url, "query", "counter:get", { name: "n" }), (answer) => answer.body.value === 1);
    await first.close();
    await waitFor(() => second.db.cluster?.role, (role) => role === "leader");
    expect((await call(second.url, "mutation", "counter:increment", { name: "n" })).body.value).toBe(2);
  });

  it("a leader that releases its leadership (the last step of a drain) hands over at once and follows the new leader", async () => {
    const url = cluster.createDatabase();
    const first = await startServer({ dir: FIXTURE_DIR, port: 0, db: url, nodeId: "first", nodeSecret: "s" });
    cleanups.push(() => first.close());
    const second = await startServer({ dir: FIXTURE_DIR, port: 0, db: url, nodeId: "second", nodeSecret: "s" });
    cleanups.push(() => second.close());
    expect((await call(second.url, "mutation", "counter:increment", { name: "d" })).body.value).toBe(1); // forwarded
    await first.db.cluster!.releaseLeadership();
    expect(first.db.cluster!.status()).toMatchObject({ nodeId: "first", role: "follower" });
    await waitFor(() => second.db.cluster!.status(), (status) => status.role === "leader" && status.epoch === 2n);
    // The old leader now forwards to the new one, and shows what it commits.
    expect((await call(first.url, "mutation", "counter:increment", { name: "d" })).body.value).toBe(2);
    expect((await call(first.url, "query", "counter:get", { name: "d" })).body.value).toBe(2);
    expect(first.db.cluster!.status().appliedTs).toBe(second.db.cluster!.status().appliedTs);
  });

  it("the CLI's export still refuses a database a server holds (it needs the database alone)", async () => {
    const url = cluster.createDatabase();
    const server = await start(url);
    cleanups.push(() => server.close());
    const refused = await runCli(["export", "--db", url, "/nonexistent/out.jsonl.gz"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Another Syncline server is already using PostgreSQL at 127.0.0.1:${cluster.port}`);
  });

  it("uses SYNCLINE_DATABASE_URL when no db is given", async () => {
    const url = cluster.createDatabase();
    process.env.SYNCLINE_DATABASE_URL = url;
    try {
      const server = await startServer({ dir: FIXTURE_DIR, port: 0 });
      cleanups.push(() => server.close());
      await call(server.url, "mutation", "counter:increment", { name: "env" });
    } finally {
      delete process.env.SYNCLINE_DATABASE_URL;
    }
    expect(cluster.psql("SELECT count(*) FROM syncline_documents", url.split("/").pop()).trim()).not.toBe("0");
  });

  it("refuses an unknown URL scheme instead of making a folder named after it", async () => {
    expect(await startError("mysql://root@localhost/app")).toBe('Unsupported database URL scheme "mysql://": use a postgres:// or postgresql:// URL, a file path, or ":memory:".');
  });

  it("syncline dev --db <unreachable postgres> prints one line and exits non-zero", async () => {
    const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${await freePort()}/app`;
    const result = await runCli(["dev", "--dir", FIXTURE_DIR, "--port", "0", "--no-typecheck", "--db", url]);
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split("\n").filter((line) => line.includes("PostgreSQL"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Cannot connect to PostgreSQL at 127\.0\.0\.1:\d+, database "app": connection refused/);
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });
});

/** Clients that each increment their own counter over HTTP, recording every acknowledged value. */
function streamIncrements(server: RunningServer, clients: number) {
  const acknowledged = Array.from({ length: clients }, () => [] as number[]);
  const failures: string[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, c) => {
    while (running) {
      try {
        const answer = await call(server.url, "mutation", "counter:increment", { name: `client-${c}` });
        if (answer.body.status === "success") acknowledged[c]!.push(answer.body.value as number);
        else failures.push(String(answer.body.errorMessage));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  return {
    acknowledged,
    failures,
    total: () => acknowledged.reduce((sum, values) => sum + values.length, 0),
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every acknowledged increment is in the counter exactly once: values 1..n in order, and the stored counter is n. */
async function expectExactlyOnce(server: RunningServer, acknowledged: number[][]): Promise<void> {
  for (const [c, values] of acknowledged.entries()) {
    expect(values).toEqual(values.map((_, i) => i + 1));
    const stored = await call(server.url, "query", "counter:get", { name: `client-${c}` });
    expect(stored.body.value).toBe(values.length);
  }
}

describe("faults while clients stream mutations", () => {
  it("Postgres crashes (stop -m immediate) and restarts: nothing acknowledged is lost or doubled, a subscription catches up", async () => {
    const server = await start(cluster.createDatabase());
    cleanups.push(() => server.close());
    const client = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => client.close());
    const seen: number[] = [];
    cleanups.push(client.subscribe(api.counter.get, { name: "client-0" }, (value) => seen.push(value)));

    const stream = streamIncrements(server, 5);
    await waitFor(stream.total, (n) => n >= 50);
    cluster.stop("immediate");
    await new Promise((resolve) => setTimeout(resolve, 500));
    cluster.start();
    const before = stream.total();
    await waitFor(stream.total, (n) => n >= before + 50, 60_000);
    await stream.stop();

    expect(stream.failures).toEqual([]);
    await expectExactlyOnce(server, stream.acknowledged);
    const last = stream.acknowledged[0]!.length;
    await waitFor(() => seen.at(-1), (value) => value === last, 20_000);
  }, 120_000);

  it("the server's connections are terminated (pg_terminate_backend) mid-commit, again and again", async () => {
    const server = await start(cluster.createDatabase());
    cleanups.push(() => server.close());
    const stream = streamIncrements(server, 5);
    for (let round = 0; round < 5; round++) {
      const before = stream.total();
      await waitFor(stream.total, (n) => n >= before + 20, 60_000);
      cluster.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'syncline'");
    }
    const before = stream.total();
    await waitFor(stream.total, (n) => n >= before + 20, 60_000);
    await stream.stop();

    expect(stream.failures).toEqual([]);
    await expectExactlyOnce(server, stream.acknowledged);
  }, 120_000);

  it("a mutation fails with a clear, retryable error when Postgres stays away past the reconnect timeout", async () => {
    const url = cluster.createDatabase();
    const { openDatabase } = await import("../../../src/server/db/index.js");
    const db = await openDatabase({ path: url, reconnectTimeoutMs: 1_000 });
    cleanups.push(() => db.close());
    await db.write((tx) => tx.db.insert("notes", { n: 1 }));
    cluster.stop("immediate");
    try {
      const failure = await db.write((tx) => tx.db.insert("notes", { n: 2 })).catch((error: Error) => error.message);
      expect(failure).toMatch(/^The connection to PostgreSQL at 127\.0\.0\.1:\d+, database "\w+" was lost and could not be restored in time; this call was not confirmed\. Retry it/);
    } finally {
      cluster.start();
    }
    // Back: writes and reads work again, and what was not confirmed is not there.
    await db.write((tx) => tx.db.insert("notes", { n: 3 }));
    const { result } = await db.read((tx) => tx.db.query("notes").collect());
    expect(result.map((doc) => doc.n)).toEqual([1, 3]);
  }, 60_000);

  it("the HTTP API answers 503 with Retry-After (not an internal error) while Postgres stays away past the reconnect timeout, and serves again once it is back", async () => {
    const { logger, lines } = recordingLogger();
    const server = await startServer({ dir: FIXTURE_DIR, port: 0, db: cluster.createDatabase(), databaseReconnectTimeoutMs: 1_000, logger });
    cleanups.push(() => server.close());
    expect((await call(server.url, "mutation", "counter:increment", { name: "away" })).body.value).toBe(1);
    const answer = async (kind: "query" | "mutation") => {
      const response = await fetch(`${server.url}/api/${kind}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ path: `counter:${kind === "query" ? "get" : "increment"}`, format: "convex_encoded_json", args: [{ name: "away" }] }),
      });
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { code?: string; message?: string } };
    };
    cluster.stop("immediate");
    try {
      for (const kind of ["query", "mutation"] as const) {
        const away = await answer(kind);
        expect(away).toMatchObject({ status: 503, retryAfter: "1", body: { code: "DatabaseUnavailable" } });
        expect(away.body.message).toMatch(/^The connection to PostgreSQL at 127\.0\.0\.1:\d+, database "\w+" was lost and could not be restored in time/);
      }
    } finally {
      cluster.start();
    }
    // Back: the mutation that got a 503 was not applied; the next one is.
    await waitFor(() => answer("mutation"), (back) => back.status === 200, 30_000);
    expect((await call(server.url, "query", "counter:get", { name: "away" })).body.value).toBe(2);
    expect(lines.filter((line) => line.includes("Internal error"))).toEqual([]);
  }, 60_000);
});
