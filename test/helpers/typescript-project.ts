// Makes a temp project type-check like one with Syncline installed from npm. TypeScript itself
// resolves from the repository's node_modules (temp projects live inside the repository), but
// `syncline` would resolve to its unbuilt `dist/`; a stub package whose type entry points
// re-export the sources stands in for the published declarations.

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { chooseTsconfig, DEFAULT_OPTIONS } from "../../src/cli/typecheck/choose-tsconfig.js";
import { findTypeScript, type TypeScriptInstall } from "../../src/cli/typecheck/find-typescript.js";
import { countFunctionsFiles, parseTscOutput } from "../../src/cli/typecheck/tsc-output.js";
import { env, run } from "../package/run.js";

const SOURCES = join(import.meta.dirname, "../../src");

/** Writes `<root>/node_modules/syncline` with types for `syncline`, `syncline/server`, `syncline/values` and `syncline/react`. */
export function installSynclineTypes(root: string): void {
  // The project's own package.json: without one the repository's is the nearest, and TypeScript
  // resolves `syncline` there by self-reference - to the repository's `dist/`, stale or missing.
  const manifest = join(root, "package.json");
  if (!existsSync(manifest)) writeFileSync(manifest, JSON.stringify({ name: "typecheck-test-project", private: true }));
  const dir = join(root, "node_modules", "syncline");
  mkdirSync(dir, { recursive: true });
  const entries = { ".": "index", "./server": "server", "./values": "values", "./react": "react" };
  const exports = Object.fromEntries(Object.entries(entries).map(([path, name]) => [path, { types: `./${name}.d.ts` }]));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "syncline", type: "module", exports }));
  writeFileSync(join(dir, "index.d.ts"), `export * from ${JSON.stringify(join(SOURCES, "index"))};\n`);
  writeFileSync(join(dir, "server.d.ts"), `export * from ${JSON.stringify(join(SOURCES, "server/index"))};\n`);
  writeFileSync(join(dir, "values.d.ts"), `export * from ${JSON.stringify(join(SOURCES, "values/index"))};\n`);
  writeFileSync(join(dir, "react.d.ts"), `export * from ${JSON.stringify(join(SOURCES, "../hooks/index"))};\n`);
}

/**
 * Installs a stand-in `typescript` package in `<root>/node_modules` whose `tsc` takes `delayMs`,
 * then reports one error in `syncline/a.ts` ("fake check <n>"). It logs each run to
 * `<root>/tsc-log.jsonl` (`start`: its pid, arguments, folder, and the pids of earlier runs still
 * alive; `end`), so a test sees when a check runs, that a superseded one was stopped, and that
 * two never ran at once.
 */
export function installFakeTypeScript(root: string, delayMs: number): { log: () => FakeTscEvent[] } {
  const dir = join(root, "node_modules", "typescript");
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "typescript", version: "0.0.0-fake", bin: { tsc: "./bin/tsc.js" } }));
  const logFile = join(root, "tsc-log.jsonl");
  writeFileSync(
    join(dir, "bin", "tsc.js"),
    `const fs = require("node:fs");
const log = ${JSON.stringify(logFile)};
const earlier = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\\n").map((line) => JSON.parse(line)) : [];
const starts = earlier.filter((event) => event.event === "start");
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const overlapping = starts.filter((event) => alive(event.pid)).map((event) => event.pid);
fs.appendFileSync(log, JSON.stringify({ event: "start", pid: process.pid, argv: process.argv.slice(2), cwd: process.cwd(), overlapping }) + "\\n");
setTimeout(() => {
  fs.appendFileSync(log, JSON.stringify({ event: "end", pid: process.pid }) + "\\n");
  process.stdout.write("syncline/a.ts(1,1): error TS1000: fake check " + (starts.length + 1) + "\\n");
  process.exitCode = 2;
}, ${delayMs});
`,
  );
  return {
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as FakeTscEvent) : []),
  };
}

export type FakeTscEvent = { event: "start"; pid: number; argv: string[]; cwd: string; overlapping: number[] } | { event: "end"; pid: number };

/**
 * The type errors of `files` (paths relative to `dir`) under the settings `syncline dev` checks a
 * project without a tsconfig with, as `<path relative to dir>:<line> TS<code> <message>`.
 */
export function typeErrors(dir: string, files: string[]): string[] {
  const { options } = ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS, dir);
  const program = ts.createProgram(
    files.map((file) => join(dir, file)),
    options,
  );
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${relative(dir, diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : "";
    return `${where} TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  });
}

/**
 * Installs the newest TypeScript on the registry (`typescript@latest`, from npm's cache when it
 * has it) into `<root>/newest-typescript/`, a package of its own (an install into the project
 * itself would prune the `syncline` stand-in as extraneous); resolves to it. From 7.0 on that is
 * the native compiler, which has no JavaScript compiler API: it is run as `tsc`.
 *
 * @example
 * const newest = await installNewestTypeScript(project.root); // { version: "7.0.2", tsc: ".../bin/tsc" }
 */
export async function installNewestTypeScript(root: string): Promise<TypeScriptInstall> {
  const dir = join(root, "newest-typescript");
  mkdirSync(dir, { recursive: true });
  // Its own manifest: without one npm would take the repository's as the project and install there.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "newest-typescript", private: true }));
  await run("npm", ["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", "typescript@latest"], dir);
  const installed = findTypeScript(dir);
  if (installed === undefined || !installed.tsc.startsWith(join(dir, "node_modules"))) throw new Error(`typescript@latest did not install into ${dir}`);
  return installed;
}

/**
 * The type errors `typescript`'s `tsc` reports over the functions folder `dir`, run as
 * `syncline dev` runs it for a project without a tsconfig, in the format of `typeErrors`; and
 * how many of the folder's own files (not `_generated/`) it checked, so a test sees it checked
 * the app and not nothing.
 *
 * @example
 * expect(await tscErrors(newest, project.dir)).toEqual({ errors: [], checkedFiles: 2 });
 */
export async function tscErrors(typescript: TypeScriptInstall, dir: string): Promise<{ errors: string[]; checkedFiles: number }> {
  const root = dirname(dir);
  const config = chooseTsconfig(dir, join(root, ".syncline", "typecheck"));
  const args = [typescript.tsc, "-p", config.file, "--noEmit", "--pretty", "false", "--listFiles"];
  // tsc exits with 1 or 2 when it reports errors (still an answer); anything else is a failure.
  const { stdout, code } = await promisify(execFile)(process.execPath, args, { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => ({ stdout, code: 0 }),
    (error: { stdout?: string; stderr?: string; code?: number }) => {
      if (error.code === 1 || error.code === 2) return { stdout: error.stdout ?? "", code: error.code };
      throw new Error(`tsc ${typescript.version} failed (${String(error.code)}):\n${error.stderr ?? ""}\n${error.stdout ?? ""}`);
    },
  );
  const diagnostics = parseTscOutput(stdout, root);
  if (code !== 0 && diagnostics.length === 0) throw new Error(`tsc ${typescript.version} exited with ${code} and reported nothing:\n${stdout}`);
  const errors = diagnostics.map(
    (diagnostic) => `${diagnostic.file === undefined ? "" : `${relative(dir, diagnostic.file)}:${diagnostic.line}`} TS${diagnostic.code} ${diagnostic.message}`,
  );
  return { errors, checkedFiles: countFunctionsFiles(stdout, dir) };
}
