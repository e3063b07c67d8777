// `syncline serve` as a real process on loopback: it refuses a missing or stale `_generated/`,
// serves the official client and ours with prod behaviour, logs JSON lines when stdout is a pipe,
// answers /health and /ready, and works on SQLite. (The drain on SIGTERM: serve-drain.test.ts.)

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { runCodegen } from "../../src/codegen/index.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { CLI, runCli, startServe } from "../helpers/cli-process.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { waitFor } from "../helpers/wait.js";
import { TEST_ENGINE, testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const NOTES = `import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";
export const add = mutation({ args: { body: v.string() }, handler: (ctx, args) => ctx.db.insert("notes", args) });
export const bodies = query({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).map((note) => note.body) });
export const fail = mutation({ args: {}, handler: () => { throw new Error("the database password is hunter2"); } });
`;

function project(): TempProject {
  return tempProject({ "notes.ts": NOTES }, cleanups);
}

/** A database file in the project (SQLite), or a fresh database on the run's cluster (the "postgres" project). */
function servedDatabase(p: TempProject): string {
  return TEST_ENGINE === "sqlite" ? join(p.root, "data.sqlite") : testDatabase();
}

const add = makeFunctionReference<"mutation", { body: string }, string>("mutation", "notes:add");
const bodies = makeFunctionReference<"query", Record<string, never>, string[]>("query", "notes:bodies");

describe("syncline serve refuses a _generated/ that does not match the functions", () => {
  it("refuses a missing _generated/ with one line saying to run codegen, exit code 1, before touching the database", async () => {
    const p = project();
    const db = join(p.root, "data.sqlite");
    const result = await runCli(["serve", "--dir", p.dir, "--host", "127.0.0.1", "--port", "0", "--db", db]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "error" });
    expect(line.msg).toMatch(/syncline\/_generated\/ is missing api\.ts, server\.ts, dataModel\.ts: run `npx syncline codegen --dir \S*syncline`, then start again\.$/);
    expect(result.stderr).toBe("");
  }, 30_000);

  // util-linux's `script` (BSD's takes other flags).
  it.skipIf(process.platform !== "linux")("prints the usual human line, not JSON, when stdout is a terminal", async () => {
    const p = project();
    // `script` runs the command on a pseudo-terminal (-e: with the command's exit code).
    const command = [process.execPath, "--import", "tsx", CLI, "serve", "--dir", p.dir, "--host", "127.0.0.1", "--port", "0", "--db", join(p.root, "data.sqlite")].join(" ");
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: join(import.meta.dirname, "../.."), env: { ...process.env, NO_COLOR: "1" } });
      let output = "";
      child.stdout.on("data", (data) => (output += data));
      child.on("exit", (code) => resolve({ code, output }));
    });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toMatch(/^\S*syncline\/_generated\/ is missing api\.ts, server\.ts, dataModel\.ts: run `npx syncline codegen --dir \S+`, then start again\.$/);
  }, 30_000);

  it("refuses a _generated/ older than the functions, naming the file that differs, and starts once codegen ran", async () => {
    const p = project();
    await runCodegen({ dir: p.dir });
    p.write("more.ts", `import { query } from "./_generated/server";\nexport const extra = query({ args: {}, handler: () => 1 });\n`);
    const db = servedDatabase(p);
    const stale = await runCli(["serve", "--dir", p.dir, "--host", "127.0.0.1", "--port", "0", "--db", db]);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout.trim()).msg).toMatch(/_generated\/ is out of date \(api\.ts differs\): run `npx syncline codegen --dir \S+`, then start again\.$/);

    await runCodegen({ dir: p.dir });
    const server = await startServe(p.dir, ["--db", db], cleanups);
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ ready: true, status: "serving" });
    server.signal("SIGTERM");
    expect(await server.exited).toBe(0);
  }, 60_000);
});

describe("syncline serve", () => {
  it("serves the official client and ours (on SQLite, and on Postgres in that project), redacts errors, logs JSON lines, and answers /health and /ready", async () => {
    const p = project();
    await runCodegen({ dir: p.dir });
    const server = await startServe(p.dir, ["--db", servedDatabase(p), "--node-id", "web-1"], cleanups);

    const ours = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => ours.close());
    const official = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, skipConvexDeploymentUrlCheck: true, unsavedChangesWarning: false });
    cleanups.push(() => official.close());
    const seenByOfficial: string[][] = [];
    official.onUpdate(anyApi.notes!.bodies!, {}, (value: string[]) => seenByOfficial.push(value));
    await ours.mutation(add, { body: "from ours" });
    await official.mutation(anyApi.notes!.add!, { body: "from the official client" });
    expect((await ours.query(bodies, {})).sort()).toEqual(["from ours", "from the official client"]);
    await waitFor(() => seenByOfficial.at(-1)?.length, (length) => length === 2);
    // Prod: a plain error's message does not reach clients (it is in the server's log).
    await expect(ours.mutation(makeFunctionReference<"mutation", Record<string, never>, null>("mutation", "notes:fail"), {})).rejects.toThrow("Server Error");
    await expect(official.mutation(anyApi.notes!.fail!, {})).rejects.toThrow("Server Error");

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const status = (await health.json()) as Record<string, unknown>;
    expect(status).toMatchObject({ nodeId: "web-1", role: "leader", epoch: 1, lagMs: 0, status: "serving", connections: 2 });
    // The newest commit's timestamp: nanoseconds, a decimal string (too large for a JSON number).
    expect(status.appliedTimestamp).toMatch(/^\d{19}$/);
    expect(BigInt(status.appliedTimestamp as string) / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 60_000));
    const ready = await fetch(`${server.url}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true, status: "serving" }]);
    expect((await fetch(`${server.url}/ready`, { method: "POST" })).status).toBe(405);

    // Every stdout line is one JSON object with time, level and msg first; function lines carry the function.
    for (const entry of server.logs) {
      expect(entry).not.toHaveProperty("notJson");
      expect(Object.keys(entry).slice(0, 3)).toEqual(["time", "level", "msg"]);
      expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
    }
    expect(server.logs[0]).toMatchObject({ level: "info", nodeId: "web-1", role: "leader", database: TEST_ENGINE === "sqlite" ? "SQLite" : "PostgreSQL", functions: 3 });
    await waitFor(() => server.logs.find((entry) => entry.function === "notes:fail"), (entry) => entry !== undefined);
    expect(server.logs.find((entry) => entry.function === "notes:fail")).toMatchObject({
      level: "error",
      kind: "mutation",
      msg: expect.stringContaining("the database password is hunter2"),
    });

    server.signal("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.logs.at(-1)).toMatchObject({ level: "info", finished: true, sockets: 2 });
    // Nothing was in flight: the drain did not sit out its 5 s timeout, nor a socket's 30 s close
    // handshake (a drained socket is paused; the client's close frame must still be read).
    expect(server.logs.at(-1)!.ms).toBeLessThan(5_000);
  }, 60_000);

  it("reads its settings from the environment when no flag gives them, flags first", async () => {
    const p = project();
    await runCodegen({ dir: p.dir });
    const server = await startServe(p.dir, ["--node-id", "from-the-flag"], cleanups, {
      SYNCLINE_DATABASE_URL: join(p.root, "env.sqlite"),
      SYNCLINE_NODE_ID: "from-the-environment",
      SYNCLINE_PUBLIC_URL: "https://api.example.com",
    });
    expect(((await (await fetch(`${server.url}/health`)).json()) as { nodeId: string }).nodeId).toBe("from-the-flag");
    server.signal("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(existsSync(join(p.root, "env.sqlite"))).toBe(true);
  }, 60_000);

  it("refuses bad flags with a clear message", async () => {
    const result = await runCli(["serve", "--port", "http"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--port must be a port number, got http");
    const env = await runCli(["serve", "--drain-timeout", "soon"]);
    expect(env.stderr).toContain("--drain-timeout must be a number of milliseconds, got soon");
  }, 30_000);
});
