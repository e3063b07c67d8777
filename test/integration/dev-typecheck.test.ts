// `syncline dev` type-checks the functions with the project's TypeScript after every (re)load,
// in a child process: errors are reported with file:line:col and code, their fix is announced,
// the server serves meanwhile, a change supersedes a running check, and `--no-typecheck` or a
// project without TypeScript runs no check.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { createTypeChecker } from "../../src/cli/typecheck/checker.js";
import { findTypeScript } from "../../src/cli/typecheck/find-typescript.js";
import type { ServerLogger } from "../../src/server/logger.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { installFakeTypeScript, installSynclineTypes } from "../helpers/typescript-project.js";

const REPO = join(import.meta.dirname, "../..");
const CLI = join(REPO, "src/cli/main.ts");
const HEADER = /Type errors in functions \((\d+)\) - the server keeps running the new code:/;
const PASSED = "Type check passed (1 file)\n"; // one functions file, `_generated/` not counted
const FIXED = "Type check passed (1 file): the type errors are fixed.";

const cleanups = cleanupAfterEach();
const project = (files: Record<string, string>): TempProject => tempProject(files, cleanups);

interface Dev {
  apiUrl: string;
  output(): string;
  /** Waits until the output matches `pattern` (after `from` characters); returns where it ends. */
  waitFor(pattern: RegExp | string, timeoutMs: number, from?: number): Promise<number>;
}

/** Starts `syncline dev` from the sources, as the user runs it, and reads its output. */
async function startDev(dir: string, args: string[] = []): Promise<Dev> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", dir, "--port", "0", "--db", ":memory:", ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  cleanups.push(async () => {
    child.kill("SIGTERM");
    await exited;
  });
  let text = "";
  createInterface({ input: child.stdout }).on("line", (line) => (text += `${line}\n`));
  child.stderr.on("data", (data) => (text += String(data)));
  const waitFor = async (pattern: RegExp | string, timeoutMs: number, from = 0) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = text.slice(from);
      const match = typeof pattern === "string" ? { index: rest.indexOf(pattern), length: pattern.length } : ((m) => (m ? { index: m.index, length: m[0].length } : undefined))(pattern.exec(rest));
      if (match && match.index >= 0) return from + match.index + match.length;
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${timeoutMs} ms; the output was:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await waitFor("  Types:", 30_000);
  return { apiUrl: /API:\s+(http:\S+)/.exec(text)![1]!, output: () => text, waitFor };
}

const valueModule = (value: string) => `import { query } from "./_generated/server";
import { helper } from "../shared/util";
export const value = query({
  args: {},
  handler: () => {
    const n: number = ${value};
    return n + helper();
  },
});
`;

describe("syncline dev type-checks the functions", () => {
  it("reports a type error with file:line:col and its code without blocking the new code, and says when it is fixed", async () => {
    const p = project({ "a.ts": valueModule("1") });
    installSynclineTypes(p.root);
    // A file of the app, outside the functions folder, with a type error of its own: not reported.
    mkdirSync(join(p.root, "shared"));
    writeFileSync(join(p.root, "shared/util.ts"), `export const helper = (): number => 1;\nexport const notOurs: number = "app code";\n`);
    const dev = await startDev(p.dir);
    expect(dev.output()).toMatch(/Types: {5}checked with TypeScript \d+\.\d+\.\d+ after every reload/);
    await dev.waitFor(PASSED, 60_000); // a passing check says so, in one line

    p.write("a.ts", valueModule(`"str"`));
    const reported = await dev.waitFor(HEADER, 60_000);
    await dev.waitFor("\n", 5_000, reported);
    const report = dev.output().slice(dev.output().search(HEADER));
    expect(report.split("\n").slice(0, 2)).toEqual([
      "Type errors in functions (1) - the server keeps running the new code:",
      "syncline/a.ts:6:11 - error TS2322: Type 'string' is not assignable to type 'number'.",
    ]);
    expect(dev.output()).not.toContain("shared/util.ts");
    // The type error did not stop the reload: the new code answers.
    expect((await call(dev.apiUrl, "query", "a:value")).body.value).toBe("str1");

    p.write("a.ts", valueModule("2"));
    await dev.waitFor(FIXED, 60_000, reported);
    expect((await call(dev.apiUrl, "query", "a:value")).body.value).toBe(3);
    expect(dev.output().split("\n").filter((line) => line.startsWith("Type check passed"))).toEqual(["Type check passed (1 file)", FIXED]);
  }, 150_000);

  it("serves while a check runs, and a change stops the running check and starts one for the new code", async () => {
    const p = project({ "a.ts": `import { query } from "syncline/server";\nexport const value = query(() => 1);\n` });
    const tsc = installFakeTypeScript(p.root, 3_000);
    const dev = await startDev(p.dir);
    expect(dev.output()).toContain("Types:     checked with TypeScript 0.0.0-fake"); // the project's compiler, not Syncline's

    const runningNow = () => {
      const events = tsc.log();
      const started = events.filter((event) => event.event === "start").map((event) => event.pid);
      return started.filter((pid) => !events.some((event) => event.event === "end" && event.pid === pid));
    };
    for (let i = 0; i < 200 && runningNow().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const [first] = runningNow();
    expect(first).toBeDefined();
    for (let i = 0; i < 5; i++) {
      const begun = Date.now();
      expect((await call(dev.apiUrl, "query", "a:value")).body.value).toBe(1);
      expect(Date.now() - begun).toBeLessThan(1_000);
    }
    expect(runningNow()).toEqual([first]); // those answers came while the check ran

    p.write("a.ts", `import { query } from "syncline/server";\nexport const value = query(() => 2);\n`);
    await dev.waitFor(HEADER, 30_000);
    await dev.waitFor("fake check", 5_000);
    const events = tsc.log();
    const starts = events.flatMap((event) => (event.event === "start" ? [event] : []));
    expect(starts).toHaveLength(2);
    expect(events.some((event) => event.event === "end" && event.pid === first)).toBe(false); // killed, never finished
    expect(starts.map((start) => start.overlapping)).toEqual([[], []]); // never two at once
    expect(dev.output()).toContain("syncline/a.ts:1:1 - error TS1000: fake check 2");
    expect(dev.output()).not.toContain("fake check 1");
    expect(starts[1]!.cwd).toBe(p.root);
    expect(starts[1]!.argv).toEqual([
      "-p",
      join(p.root, ".syncline/typecheck/tsconfig.json"),
      "--noEmit",
      "--pretty",
      "false",
      "--listFiles",
      "--incremental",
      "--tsBuildInfoFile",
      join(p.root, ".syncline/typecheck/functions.tsbuildinfo"),
    ]);
    expect((await call(dev.apiUrl, "query", "a:value")).body.value).toBe(2);
  }, 60_000);

  it("checks again when tsconfig.json or package.json of the project changes, without a reload", async () => {
    const p = project({ "a.ts": `import { query } from "syncline/server";\nexport const value = query(() => 1);\n` });
    const tsc = installFakeTypeScript(p.root, 0);
    const dev = await startDev(p.dir);
    const starts = () => tsc.log().filter((event) => event.event === "start").length;
    const until = async (condition: () => boolean) => {
      for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      return condition();
    };
    expect(await until(() => starts() === 1)).toBe(true);
    writeFileSync(join(p.root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
    expect(await until(() => starts() === 2)).toBe(true);
    writeFileSync(join(p.root, "package.json"), JSON.stringify({ name: "x", type: "module" }));
    expect(await until(() => starts() === 3)).toBe(true);
    writeFileSync(join(p.root, "tsconfig.app.json"), JSON.stringify({ compilerOptions: {} })); // one a tsconfig.json may extend
    expect(await until(() => starts() === 4)).toBe(true);
    // Other files of the project are not the check's business.
    writeFileSync(join(p.root, "README.md"), "# hi\n");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(starts()).toBe(4);
    expect(dev.output()).not.toContain("Reloaded");
  }, 60_000);

  it("runs no check with --no-typecheck", async () => {
    const p = project({ "a.ts": `import { query } from "syncline/server";\nexport const value = query(() => 1);\n` });
    const tsc = installFakeTypeScript(p.root, 0);
    const dev = await startDev(p.dir, ["--no-typecheck"]);
    expect(dev.output()).toContain("Types:     not checked (--no-typecheck)");
    p.write("a.ts", `import { query } from "syncline/server";\nexport const value = query(() => 2);\n`);
    await dev.waitFor(/Reloaded 1 functions/, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a check would have run by now (the fake takes none)
    expect(tsc.log()).toEqual([]);
    expect(dev.output()).not.toMatch(HEADER);
  }, 60_000);

  it("says once that type checking is off when the project has no typescript", async () => {
    // Outside the repository, where typescript would resolve from its node_modules.
    const root = mkdtempSync(join(tmpdir(), "syncline-no-ts-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    expect(findTypeScript(root)).toBeUndefined();
    mkdirSync(join(root, "syncline"));
    writeFileSync(join(root, "syncline/a.ts"), "export const x = 1;\n");
    const dev = await startDev(join(root, "syncline"));
    writeFileSync(join(root, "syncline/a.ts"), "export const x = 2;\n");
    await dev.waitFor(/Reloaded 0 functions/, 30_000);
    expect(dev.output().match(/type checking is off: typescript is not installed/g)).toHaveLength(1);
    // `npm install -D typescript` (package.json changes) turns checking on.
    installFakeTypeScript(root, 0);
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "x", devDependencies: { typescript: "*" } }));
    await dev.waitFor("Type checking is on: TypeScript 0.0.0-fake is installed now.", 30_000);
    await dev.waitFor("error TS1000: fake check", 30_000);
  }, 60_000);
});

describe("the tsconfig of a check", () => {
  it("is the functions folder's, else the project's narrowed to the functions folder, else strict defaults", async () => {
    const p = project({
      "a.ts": `export function f(): number {\n  const unused = 1;\n  return 2;\n}\n`,
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, noUnusedLocals: true, skipLibCheck: true, types: [] } }),
    });
    const lines: string[] = [];
    const logger: ServerLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), functionLine() {} };
    const checker = createTypeChecker({ dir: p.dir, typescript: findTypeScript(p.root)!, logger });
    const unused = "syncline/a.ts:2:9 - error TS6133: 'unused' is declared but its value is never read.";

    // The functions' tsconfig: noUnusedLocals applies; a diagnostic's elaboration follows indented.
    p.write("b.ts", `function g(p: { a: { b: number } }) { return p; }\nexport const h = () => g({ a: { b: "x" } } as { a: { b: string } });\n`);
    await checker.check();
    expect(lines.pop()).toBe(
      [
        "Type errors in functions (2) - the server keeps running the new code:",
        unused,
        "syncline/b.ts:2:26 - error TS2345: Argument of type '{ a: { b: string; }; }' is not assignable to parameter of type '{ a: { b: number; }; }'.",
        "    The types of 'a.b' are incompatible between these types.",
        "      Type 'string' is not assignable to type 'number'.",
      ].join("\n"),
    );

    // The project's: its options, over the functions folder though it includes only the app (and
    // even excludes the functions), and without the app's errors.
    unlinkSync(join(p.dir, "tsconfig.json"));
    unlinkSync(join(p.dir, "b.ts"));
    writeFileSync(
      join(p.root, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, noUnusedLocals: true, types: [], rootDir: "app", composite: true }, include: ["app"], exclude: ["syncline"] }),
    );
    mkdirSync(join(p.root, "app"));
    writeFileSync(join(p.root, "app/page.ts"), `export const page: number = "app code";\n`);
    await checker.check();
    expect(lines.pop()).toBe(["Type errors in functions (1) - the server keeps running the new code:", unused].join("\n"));

    // No tsconfig: strict defaults, which do not forbid unused locals.
    unlinkSync(join(p.root, "tsconfig.json"));
    await checker.check();
    expect(lines).toEqual([FIXED]);
    await checker.check();
    expect(lines).toEqual([FIXED, "Type check passed (1 file)"]);
    await checker.stop();
  }, 120_000);
});
