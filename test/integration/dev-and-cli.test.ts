// `syncline dev` reloads (hot swap, compile errors keep the last good code) and `syncline run`
// (internal functions, through a running dev server or straight against the database).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { writeGeneratedStep } from "../../src/codegen/generated-step.js";
import { watchFunctions } from "../../src/cli/watch-functions.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { CLI, runCli } from "../helpers/cli-process.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const project = (files: Record<string, string>): TempProject => tempProject(files, cleanups);
const version = (n: number) => `import { query, internalMutation } from "syncline/server";
export const value = query(() => ${n});
export const bump = internalMutation(async (ctx) => { await ctx.db.insert("bumps", { at: 1 }); return "bumped ${n}"; });
export const count = query(async (ctx) => (await ctx.db.query("bumps").collect()).length);`;

// The CLI runs from the sources through tsx, so it starts in the repository (where tsx resolves);
// every path it gets is absolute.
const REPO = join(import.meta.dirname, "../..");

describe("reloading", () => {
  it("hot-swaps new code, and keeps serving the last good code after a compile error", async () => {
    const p = project({ "a.ts": version(1) });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    expect((await call(server.url, "query", "a:value")).body.value).toBe(1);
    expect(existsSync(join(p.dir, "_generated/api.ts"))).toBe(true);

    p.write("a.ts", version(2));
    await server.reload();
    expect((await call(server.url, "query", "a:value")).body.value).toBe(2);

    p.write("a.ts", `import { query } from "syncline/server";\nexport const value = query(() => {;`);
    await expect(server.reload()).rejects.toThrow(/a\.ts:2:\d+/);
    expect((await call(server.url, "query", "a:value")).body.value).toBe(2);
  });

  it("removes the build folders of servers that died, keeps those of live ones, and replaces its own on reload", async () => {
    const p = project({ "a.ts": version(1) });
    const builds = join(p.root, ".syncline", "build");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // exited by now
    const live = process.ppid; // the test runner: alive, and not this process
    for (const name of [`${dead}-1`, `${dead}-7`, `${live}-1`, "notes"]) mkdirSync(join(builds, name, "x"), { recursive: true });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const after = readdirSync(builds).sort();
    expect(after).toEqual([`${live}-1`, "notes", ...after.filter((name) => name.startsWith(`${process.pid}-`))].sort());
    expect(after.filter((name) => name.startsWith(`${process.pid}-`))).toHaveLength(1); // its own, current build
    await server.reload();
    expect(readdirSync(builds).filter((name) => name.startsWith(`${process.pid}-`))).toHaveLength(1); // the previous one went
  });

  it("watches the folder and reloads on a change, ignoring _generated", async () => {
    const p = project({ "a.ts": version(1) });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    let reloads = 0;
    const stop = watchFunctions(p.dir, async () => {
      reloads++;
      await server.reload();
    });
    cleanups.push(stop);
    p.write("a.ts", version(3));
    for (let i = 0; i < 100 && (await call(server.url, "query", "a:value")).body.value !== 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await call(server.url, "query", "a:value")).body.value).toBe(3);
    // The reload rewrote _generated/; that must not have caused another reload.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reloads).toBe(1);
  });

  it("keeps seeing files saved by renaming a temporary file over them, and folders made again", async () => {
    const p = project({ "a.ts": version(1), "sub/b.ts": version(10) });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    cleanups.push(watchFunctions(p.dir, () => server.reload()));
    const serves = async (name: string, expected: number) => {
      for (let i = 0; i < 100 && (await call(server.url, "query", name)).body.value !== expected; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await call(server.url, "query", name)).body.value).toBe(expected);
    };
    const saveByRename = (path: string, text: string) => {
      const temporary = join(p.root, "editor-swap");
      writeFileSync(temporary, text);
      renameSync(temporary, join(p.dir, path));
    };
    saveByRename("a.ts", version(2)); // how vim and JetBrains IDEs save
    await serves("a:value", 2);
    p.write("a.ts", version(3)); // a plain write to the file that replaced the original
    await serves("a:value", 3);
    saveByRename("a.ts", version(4));
    await serves("a:value", 4);

    rmSync(join(p.dir, "sub"), { recursive: true });
    p.write("sub/b.ts", version(11)); // the folder made again at once, under the same name
    await serves("sub/b:value", 11);
    p.write("sub/b.ts", version(12));
    await serves("sub/b:value", 12);
  });
});

describe("syncline run", () => {
  it("runs an internal function against the database when no dev server runs", async () => {
    const p = project({ "a.ts": version(1) });
    const db = join(p.root, "cli.sqlite");
    const result = await runCli(["run", "a:bump", "{}", "--dir", p.dir, "--db", db]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe('"bumped 1"');
    expect((await runCli(["run", "a:count", "--dir", p.dir, "--db", db])).stdout.trim()).toBe("1");
  });

  it("takes int64 arguments written as 5n, and says so when one is given as a plain number", async () => {
    const p = project({
      "b.ts": `import { query } from "syncline/server"; import { v } from "syncline/values";
export const twice = query({ args: { n: v.int64() }, handler: (_, { n }) => n * 2n });`,
    });
    const db = join(p.root, "cli.sqlite");
    const doubled = await runCli(["run", "b:twice", '{"n": 21n}', "--dir", p.dir, "--db", db]);
    expect(doubled.stderr).toBe("");
    expect(doubled.stdout.trim()).toBe('"42"');
    const refused = await runCli(["run", "b:twice", '{"n": 21}', "--dir", p.dir, "--db", db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/args\.n: expected int64.*\n.*written with an n, as in '\{"count": 5n\}'/);
  });

  it("goes through a running dev server, so its clients see the write", async () => {
    const p = project({ "a.ts": version(1) });
    const devProcess = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", p.dir, "--port", "0", "--db", ":memory:"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => devProcess.once("exit", resolve));
    cleanups.push(async () => {
      devProcess.kill("SIGTERM");
      await exited;
    });
    const lines = createInterface({ input: devProcess.stdout });
    const output: string[] = [];
    const [apiUrl, siteUrl] = await new Promise<[string, string]>((resolve) => {
      let api = "";
      lines.on("line", (line) => {
        output.push(line);
        api = /API:\s+(http:\S+)/.exec(line)?.[1] ?? api;
        const site = /Site:\s+(http:\S+)/.exec(line)?.[1];
        if (site) resolve([api, site]);
      });
    });
    expect(output.join("\n")).toMatch(/Syncline dev server ready/);
    // Both URLs are printed; the site (HTTP actions) has its own port.
    expect(siteUrl).not.toBe(apiUrl);
    expect(((await (await fetch(`${siteUrl}/hook`)).json()) as { message: string }).message).toMatch(/there is no http\.ts/);
    expect(readFileSync(join(p.root, ".syncline/dev-url"), "utf8")).toBe(apiUrl);

    const result = await runCli(["run", "a:bump", "--dir", p.dir]);
    expect(result.stdout.trim()).toBe('"bumped 1"');
    expect((await call(apiUrl, "query", "a:count")).body.value).toBe(1);
    // Without the admin key the same internal function is invisible.
    expect((await call(apiUrl, "mutation", "a:bump")).body.errorMessage).toBe("Could not find public function for 'a:bump'.");
  });
});

describe("syncline dev refuses to start, saying why", () => {
  it("without a functions folder, and creates nothing", async () => {
    const p = project({});
    const missing = join(p.root, "nowhere");
    const result = await runCli(["dev", "--dir", missing, "--port", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`There is no functions folder at ${missing}. Create it with a first module`);
    expect(existsSync(join(p.root, ".syncline"))).toBe(false);
  });

  it("with a --url that is not an http(s) URL", async () => {
    const p = project({});
    for (const url of ["api.example.com", "ftp://files.example.com"]) {
      const result = await runCli(["dev", "--dir", p.dir, "--port", "0", "--url", url]);
      expect([result.code, result.stderr]).toEqual([1, expect.stringContaining(`--url must be an http(s) URL such as https://api.example.com, got ${url}`)]);
    }
    expect(existsSync(join(p.root, ".syncline"))).toBe(false);
  });

  it("and so do codegen without a functions folder, and a command asked for --help", async () => {
    const p = project({});
    const missing = join(p.root, "nowhere");
    const codegen = await runCli(["codegen", "--dir", missing]);
    expect(codegen.code).toBe(1);
    expect(codegen.stderr).toContain(`There is no functions folder at ${missing}. Create it with a first module`);
    expect(existsSync(join(p.root, ".syncline"))).toBe(false);
    for (const command of ["dev", "codegen", "run"]) {
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Usage: syncline <command> [options]");
    }
  });

  it("on a functions module written with CommonJS exports, saying what to write instead", async () => {
    const p = project({ "legacy.js": `const { query } = require("syncline/server");\nexports.hello = query(() => 1);` });
    const result = await runCli(["codegen", "--dir", p.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "syncline/legacy.js: failed to load: exports is not defined in ES module scope. Functions modules are ES modules: write `export const hello = query(...)` instead of `exports.hello = ...`",
    );
  });

  it("on a database another server is using", async () => {
    const p = project({ "a.ts": version(1) });
    const db = join(p.root, "shared.sqlite");
    const running = await startServer({ dir: p.dir, port: 0, db });
    cleanups.push(() => running.close());
    const result = await runCli(["dev", "--dir", p.dir, "--port", "0", "--db", db]);
    expect(result.code).toBe(1);
    // Once, and where the first one listens.
    expect(result.stderr).toBe(
      `Another Syncline server, listening on ${running.url}, is using the database ${db}. Two servers on one database would interleave its history: stop the other one (or give this one its own database with --db).` + "\n",
    );
  });

  it("on a port in use, and lets go of its database", async () => {
    const p = project({ "a.ts": version(1) });
    const running = await startServer({ dir: p.dir, port: 0, db: testDatabase() });
    cleanups.push(() => running.close());
    const db = join(p.root, "own.sqlite");
    const result = await runCli(["dev", "--dir", p.dir, "--port", String(running.port), "--db", db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${running.port} on 127.0.0.1 is in use (another syncline dev?); stop that or choose another with port / --port.`);
    // In this process too: the refused server released the database it had opened.
    await expect(startServer({ dir: p.dir, port: running.port, db })).rejects.toThrow(/is in use/);
    const next = await startServer({ dir: p.dir, port: 0, db });
    await next.close();
  });

  it("on a site port (HTTP actions) in use, and lets go of its database", async () => {
    const p = project({ "a.ts": version(1) });
    const running = await startServer({ dir: p.dir, port: 0, db: testDatabase() });
    cleanups.push(() => running.close());
    const db = join(p.root, "own.sqlite");
    await expect(startServer({ dir: p.dir, port: 0, sitePort: running.sitePort, db })).rejects.toThrow(
      `The site port ${running.sitePort} (HTTP actions) is in use; choose another with sitePort / --site-port.`,
    );
    const next = await startServer({ dir: p.dir, port: 0, db });
    await next.close();
  });
});
