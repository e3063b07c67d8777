// Makes a temp project type-check like one with Syncline installed from npm. TypeScript itself
// resolves from the repository's node_modules (temp projects live inside the repository), but
// `syncline` would resolve to its unbuilt `dist/`; a stub package whose type entry points
// re-export the sources stands in for the published declarations.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { DEFAULT_OPTIONS } from "../../src/cli/typecheck/choose-tsconfig.js";

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
