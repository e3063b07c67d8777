// What `syncline dev` and the `syncline` command print, by exact text: the banner's site line, a
// schema that existing documents break, and the command without a command.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { CLI, runCli, startDev } from "../helpers/cli-process.js";

const cleanups = cleanupAfterEach();
const QUERY = `import { query } from "syncline/server"; export const q = query(() => 1);`;

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The banner line that starts with `  Site:` (once printed, after the API line), with the URL replaced by <url>. */
async function siteLine(output: string[]): Promise<string | undefined> {
  await until(() => output.some((line) => line.startsWith("  Site:")));
  return output.find((line) => line.startsWith("  Site:"))?.replace(/http:\S+/, "<url>");
}

describe("the banner's site line", () => {
  it("without http.ts says how to add HTTP actions", async () => {
    const dev = await startDev(tempProject({ "a.ts": QUERY }, cleanups).dir, ["--db", ":memory:"], cleanups);
    expect(await siteLine(dev.output)).toBe("  Site:      <url> (no HTTP actions yet: syncline/http.ts default-exporting httpRouter() adds them)");
  });

  it("with http.ts names it", async () => {
    const http = `import { httpRouter } from "syncline/server"; export default httpRouter();`;
    const dev = await startDev(tempProject({ "a.ts": QUERY, "http.ts": http }, cleanups).dir, ["--db", ":memory:"], cleanups);
    expect(await siteLine(dev.output)).toBe("  Site:      <url> (HTTP actions of syncline/http.ts)");
  });

  it("with an http.ts that routes nothing says so", async () => {
    const dev = await startDev(tempProject({ "a.ts": QUERY, "http.ts": `export const unrelated = 1;` }, cleanups).dir, ["--db", ":memory:"], cleanups);
    expect(await siteLine(dev.output)).toBe("  Site:      <url> (no HTTP actions: syncline/http.ts does not default-export httpRouter())");
  });
});

describe("a schema that existing documents break", () => {
  it("fails the build once, listing each document once, with what to do", async () => {
    const schema = (fields: string) => `import { defineSchema, defineTable } from "syncline/server"; import { v } from "syncline/values";
export default defineSchema({ notes: defineTable({ ${fields} }) });`;
    const p = tempProject(
      {
        "schema.ts": schema("body: v.string()"),
        "notes.ts": `import { mutation } from "syncline/server"; export const add = mutation((ctx) => ctx.db.insert("notes", { body: "hi" }));`,
      },
      cleanups,
    );
    const dev = await startDev(p.dir, ["--db", ":memory:"], cleanups);
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await call(dev.url, "mutation", "notes:add")).body.value);

    p.write("schema.ts", schema("body: v.string(), author: v.string()"));
    const failed = "Build failed; still serving the last good version:";
    await until(() => dev.output.includes(failed) && dev.output.some((line) => line.startsWith("A new required field")));
    const start = dev.output.indexOf(failed);
    expect(dev.output.slice(start, start + 9)).toEqual([
      failed,
      "Schema validation failed: 7 existing documents do not match the new schema:",
      ...ids.slice(0, 5).map((id) => `- document ${String(id)} in table "notes": author: missing required field`),
      "- and 2 more",
      "A new required field: make it optional in schema.ts (v.optional(...)), or fill it in on these documents with a mutation (ctx.db.patch) while it is still optional, then make it required.",
    ]);
    // The last good version still serves (its inserts are still valid under its schema)...
    expect((await call(dev.url, "mutation", "notes:add")).body.errorMessage).toBeUndefined();
    // ...and making the field optional is accepted.
    p.write("schema.ts", schema("body: v.string(), author: v.optional(v.string())"));
    await until(() => dev.output.some((line) => line.startsWith("Reloaded")));
    expect(dev.output.filter((line) => line === failed)).toHaveLength(1);
    for (const id of ids) expect(dev.output.filter((line) => line.includes(String(id)))).toHaveLength(ids.indexOf(id) < 5 ? 1 : 0);
  });
});

describe("a module that throws while the server starts", () => {
  it("syncline dev prints the error once (the file from the project, line and column of the throw) and keeps watching", async () => {
    const p = tempProject({ "a.ts": `import { query } from "syncline/server";\nexport const q = query(() => 1);\nif (!process.env.NO_SUCH_KEY) throw new Error("NO_SUCH_KEY is not set");\n` }, cleanups);
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", p.dir, "--port", "0", "--db", ":memory:", "--no-typecheck"], {
      cwd: join(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const error = "syncline/a.ts:3:37: failed to load: NO_SUCH_KEY is not set";
    for (let waited = 0; !output.includes(error) && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output.split(error).length - 1).toBe(1);
    expect(child.exitCode).toBe(null); // still watching
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("the syncline command", () => {
  it("without a command prints the usage to stderr and exits 1", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").slice(0, 3)).toEqual(["syncline needs a command.", "", "Usage: syncline <command> [options]"]);
  });

  it("with --help prints the usage and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect([result.code, result.stdout.split("\n")[0]]).toEqual([0, "Usage: syncline <command> [options]"]);
  });

  it("with a misspelled command suggests the closest", async () => {
    const result = await runCli(["dve"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`Unknown command "dve". Did you mean dev?`);
    const far = await runCli(["deploy"]);
    expect(far.stderr.split("\n")[0]).toBe(`Unknown command "deploy".`);
  });
});
