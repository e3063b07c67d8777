// Behaviour of codegen, `syncline run` and `syncline dev` that the other tests do not pin down.

import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { writeGeneratedStep } from "../../src/codegen/generated-step.js";
import { runCodegen } from "../../src/codegen/index.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { runCli, startDev as startDevProcess } from "../helpers/cli-process.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const project = (files: Record<string, string>): TempProject => tempProject(files, cleanups);
const valueModule = (n: number) => `import { query } from "syncline/server"; export const value = query(() => ${n});`;

/** `syncline dev` on `dir`, once it answers. */
async function startDev(dir: string, extra: string[]) {
  const dev = await startDevProcess(dir, extra, cleanups);
  // One answer first: the server is up (dev watches and listens for signals from before its
  // first build on; see dev-watching.test.ts).
  await call(dev.url, "query", "a:value");
  return dev;
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await condition()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return condition();
}

describe("codegen", () => {
  it("touches no generated file when nothing changed", async () => {
    const p = project({ "a.ts": valueModule(1) });
    await runCodegen({ dir: p.dir });
    const files = ["api.ts", "server.ts", "dataModel.ts"].map((name) => join(p.dir, "_generated", name));
    const before = files.map((file) => statSync(file).mtimeMs);
    await new Promise((resolve) => setTimeout(resolve, 20)); // so a rewrite would show in mtime
    await runCodegen({ dir: p.dir });
    expect(files.map((file) => statSync(file).mtimeMs)).toEqual(before);
  });

  it("ignores helpers without functions, tests, declarations and non-source files, and names nested, dotted and default exports", async () => {
    const p = project({
      "helpers.ts": `export const twice = (n: number) => n * 2;`,
      "types.d.ts": `export type X = number;`,
      "a.test.ts": `throw new Error("tests are not modules");`,
      "notes.md": `# not code`,
      "data.json": `{"a": 1}`,
      "deep/er/mod.ts": `import { query } from "syncline/server"; import { twice } from "../../helpers"; export default query(() => twice(2));`,
      "http.ts": `import { httpRouter } from "syncline/server"; export default httpRouter();`,
    });
    const loaded = await runCodegen({ dir: p.dir });
    expect([...loaded.functions.keys()]).toEqual(["deep/er/mod:default"]);
    const api = readFileSync(join(p.dir, "_generated/api.ts"), "utf8");
    expect(api).not.toMatch(/helpers|http|types/);
  });
});

describe("reloads", () => {
  it("drop the functions of a deleted module: callers get the not-found error, api.ts forgets it", async () => {
    const p = project({ "a.ts": valueModule(1), "b.ts": valueModule(2) });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    expect((await call(server.url, "query", "b:value")).body.value).toBe(2);
    rmSync(join(p.dir, "b.ts"));
    await server.reload();
    expect((await call(server.url, "query", "b:value")).body.errorMessage).toBe("Could not find public function for 'b:value'. Did you mean a:value?");
    expect((await call(server.url, "query", "a:value")).body.value).toBe(1);
    expect(readFileSync(join(p.dir, "_generated/api.ts"), "utf8")).not.toContain("module_b");
  });
});

describe("syncline run", () => {
  it("exits 2 on arguments that are not JSON, 1 on an unknown function or arguments its validator refuses", async () => {
    const p = project({
      "e.ts": `import { query } from "syncline/server"; import { v } from "syncline/values";
export const echo = query({ args: { x: v.number() }, handler: (_, { x }) => x });`,
    });
    const db = join(p.root, "cli.sqlite");
    const badJson = await runCli(["run", "e:echo", "{x: 1}", "--dir", p.dir, "--db", db]);
    expect([badJson.code, badJson.stdout]).toEqual([2, ""]);
    expect(badJson.stderr).toMatch(/^Arguments must be a JSON object \(write an int64 as 5n\): /);
    const unknown = await runCli(["run", "e:nope", "--dir", p.dir, "--db", db]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, "Could not find function for 'e:nope'."]);
    const refused = await runCli(["run", "e:echo", '{"y": 1}', "--dir", p.dir, "--db", db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/args\.x: missing required field.*args\.y: unexpected field "y"/);
    const ok = await runCli(["run", "e.js:echo", '{"x": 1.5}', "--dir", p.dir, "--db", db]); // `.js` suffix dropped (§12)
    expect([ok.code, ok.stdout.trim()]).toEqual([0, "1.5"]);
  });

  it("--db on a database a running server holds is refused, saying so", async () => {
    const p = project({ "a.ts": valueModule(1) });
    const db = join(p.root, "held.sqlite");
    const running = await startServer({ dir: p.dir, port: 0, db });
    cleanups.push(() => running.close());
    const result = await runCli(["run", "a:value", "--dir", p.dir, "--db", db]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Another Syncline server, listening on ${running.url}, is using the database ${db}. Two servers on one database would interleave its history: stop the other one (or give this one its own database with --db).`,
    );
  });
});

describe("syncline dev", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`on ${signal} exits 0, removes its admin key and URL, and releases the database`, async () => {
      const p = project({ "a.ts": valueModule(1) });
      const db = join(p.root, "dev.sqlite");
      const dev = await startDev(p.dir, ["--db", db]);
      const state = join(p.root, ".syncline");
      expect(existsSync(join(state, "admin-key")) && existsSync(join(state, "dev-url"))).toBe(true);
      expect(await dev.stop(signal)).toBe(0);
      expect(existsSync(join(state, "admin-key")) || existsSync(join(state, "dev-url"))).toBe(false);
      const next = await startServer({ dir: p.dir, port: 0, db }); // the lock went with it
      await next.close();
    });
  }

  it("a module that throws at load keeps the last good code serving, says why once (where, from the project), and a fix recovers", async () => {
    const p = project({ "a.ts": valueModule(1) });
    const dev = await startDev(p.dir, ["--db", ":memory:"]);
    p.write("a.ts", `import { query } from "syncline/server";\nexport const value = query(() => 2);\nthrow new Error("top-level boom");\n`);
    const failed = "Build failed; still serving the last good version:";
    expect(await until(() => dev.output.includes(failed)), dev.output.join("\n")).toBe(true);
    expect(dev.output[dev.output.indexOf(failed) + 1]).toBe("syncline/a.ts:3:7: failed to load: top-level boom");
    expect((await call(dev.url, "query", "a:value")).body.value).toBe(1);
    // The same failure again (another save, or an editor saving in two writes) is one line.
    p.write("a.ts", `import { query } from "syncline/server";\nexport const value = query(() => 2);\nthrow new Error("top-level boom");\n\n`);
    const again = "Build failed again with the same error (above); still serving the last good version.";
    expect(await until(() => dev.output.includes(again)), dev.output.join("\n")).toBe(true);
    p.write("a.ts", valueModule(3));
    expect(await until(async () => (await call(dev.url, "query", "a:value")).body.value === 3)).toBe(true);
    expect(dev.output.filter((line) => line.includes("top-level boom"))).toEqual(["syncline/a.ts:3:7: failed to load: top-level boom"]);
    expect(dev.output.filter((line) => line === failed)).toHaveLength(1);
  });
});
