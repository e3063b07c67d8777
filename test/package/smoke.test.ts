// The published package, as a user gets it: `npm pack` (which builds dist/), `npm install` of the
// tarball into a fresh project outside the repository, then the README's steps with the
// installed CLI, both module formats of the client, and tsc over code that imports every entry
// point. Every other test aliases `syncline` to the sources, so only this one sees dist/,
// package.json's exports, bin and files, and the dependency lists.
//
// `npm run test:package` (not part of `npm test`: compiling better-sqlite3 for the fresh
// install takes about a minute).

import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { env, run, stop } from "./run.js";

const REPO = join(import.meta.dirname, "../..");
const FIXTURE = join(import.meta.dirname, "project");
/** What a user installs next to Syncline; the repository's versions, so the npm cache has them. */
const USER_PACKAGES = ["ws", "react", "react-dom", "@tanstack/query-core", "typescript", "@types/node", "@types/react", "@types/ws"];

// Outside the repository: inside it, Node would find the repository's node_modules and hide a
// dependency that the package forgot to declare.
let scratch: string;
let project: string;
let installed: string;

const bin = (name: string) => join(project, "node_modules/.bin", name);
const syncline = (...args: string[]) => run(bin("syncline"), args, project);
const versionInRepo = (name: string) => (JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-package-"));
  project = join(scratch, "project");
  installed = join(project, "node_modules/syncline");
  cpSync(FIXTURE, project, { recursive: true });
  // What `npm init -y` gives: no "type", so .ts and .js files are CommonJS (client.mjs is not).
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "syncline-package-smoke", private: true }));
  const packages = USER_PACKAGES.map((name) => `${name}@${versionInRepo(name)}`);
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", inject("tarball"), ...packages], project);
});

let server: ChildProcess | undefined;

afterAll(async () => {
  if (server) await stop(server);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Starts `syncline dev` on free ports; resolves once it printed its URLs. */
async function startDev(): Promise<{ child: ChildProcess; url: string; siteUrl: string }> {
  const child = spawn(bin("syncline"), ["dev", "--dir", "syncline", "--port", "0", "--site-port", "0"], { cwd: project, env });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("not ready within 30 s")), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`syncline dev: ${error.message}\n${output}`));
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`exited with ${code}`)));
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /API:\s+(http:\S+)/.exec(output)?.[1];
      const siteUrl = /Site:\s+(http:\S+)/.exec(output)?.[1];
      if (url && siteUrl && output.includes("Functions:")) {
        clearTimeout(timer);
        resolve({ child, url, siteUrl });
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) => statSync(join(dir, path)).isFile());
}

describe("the packed package", () => {
  it("holds dist/, the templates, the LICENSE, the README and package.json; no tests; every map carries its sources; the CLI is executable", () => {
    const files = filesUnder(installed);
    expect(files.filter((path) => !path.startsWith("dist/") && !path.startsWith("templates/")).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    // Every file of `syncline init`'s templates (npm would drop one named .gitignore: they hold `gitignore`).
    const templates = filesUnder(join(REPO, "templates")).map((path) => `templates/${path}`);
    expect(files.filter((path) => path.startsWith("templates/")).sort()).toEqual(templates.sort());
    expect(templates).toContain("templates/react/gitignore");
    expect(files.filter((path) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)(-d)?\.[cm]?[jt]sx?$/.test(path))).toEqual([]);
    const code = files.filter((path) => /\.c?js$/.test(path));
    expect(code.length).toBeGreaterThan(10);
    for (const path of code) {
      const map = JSON.parse(readFileSync(join(installed, `${path}.map`), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== "string"), path).toEqual([]);
    }
    const cli = join(installed, "dist/cli/main.js");
    expect(readFileSync(cli, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(statSync(bin("syncline")).mode & 0o111).toBe(0o111);
  });

  it("imports nothing at run time but Node's built-ins, its own files and its dependencies and peers", async () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const entryPoints = filesUnder(join(installed, "dist"))
      .filter((path) => /\.c?js$/.test(path))
      .map((path) => ({ in: join(installed, "dist", path), out: path })); // index.js and index.cjs apart
    const { metafile } = await build({ entryPoints, bundle: true, packages: "external", platform: "node", format: "esm", outdir: join(scratch, "imports"), write: false, metafile: true, logLevel: "silent" });
    const external = new Set(Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path)));
    const packageName = (path: string) => path.split("/").slice(0, path.startsWith("@") ? 2 : 1).join("/");
    const undeclared = [...external].filter((path) => !isBuiltin(path) && !declared.has(packageName(path)));
    expect(undeclared).toEqual([]);
    expect(external).toContain("better-sqlite3"); // the scan sees the imports
  });

  it("loads every entry point as an ES module and through require(), without touching globals", async () => {
    const report = JSON.parse(await run("node", ["entry-points.mjs"], project)) as {
      exports: Record<string, { esm: number; cjs: number }>;
      changedGlobals: string[];
    };
    for (const [name, { esm, cjs }] of Object.entries(report.exports)) {
      expect(esm, name).toBeGreaterThan(0);
      expect(cjs, name).toBe(esm);
    }
    expect(report.changedGlobals).toEqual([]);
  });
});

describe("the installed CLI and clients", () => {
  it("syncline dev generates _generated/ and serves the API and the HTTP actions", async () => {
    const dev = await startDev();
    server = dev.child;
    for (const file of ["api.ts", "server.ts", "dataModel.ts"]) expect(existsSync(join(project, "syncline/_generated", file)), file).toBe(true);
    expect(readFileSync(join(project, "syncline/_generated/api.ts"), "utf8")).toContain(`wipe: referenceFor<typeof module_messages.wipe>("mutation", "internal", "messages:wipe")`);

    for (const script of ["client.mjs", "client.cjs"]) {
      const result = JSON.parse(await run("node", [script, dev.url], project)) as Record<string, unknown>;
      expect(result, script).toEqual({
        seen: [[], ["hello"], []], // live: the mutation's write, then the action's internal mutation
        afterMutation: ["hello"],
        shouted: "HEY (wiped 1)",
        overHttp: ["over http"],
        refused: {
          socket: expect.stringContaining("messages:wipe is an internal function"),
          wire: expect.stringContaining("Could not find public function for 'messages:wipe'"),
          http: expect.stringContaining("messages:wipe is an internal function"),
        },
      });
    }
    const count = (await (await fetch(`${dev.siteUrl}/count?room=esm`)).json()) as unknown;
    expect(count).toEqual({ room: "esm", count: 1 });
  });

  it("syncline run calls any function, internal ones too, with the dev server up and on its own", async () => {
    expect(server, "the dev server of the previous test").toBeDefined();
    expect(JSON.parse(await syncline("run", "messages:wipe", '{"room":"cjs"}'))).toBe(1);
    expect(await stop(server!)).toBe(0);
    server = undefined;
    expect(existsSync(join(project, ".syncline/admin-key"))).toBe(false);
    const left = JSON.parse(await syncline("run", "messages:list", '{"room":"esm"}')) as { body: string }[];
    expect(left.map((message) => message.body)).toEqual(["over http"]);
  });

  it("syncline codegen, then tsc over user code with the installed types (bundler, node16 and the older node10), misuses included", async () => {
    // The README's `syncline codegen`: the generated files without a dev server (and this test
    // does not depend on the ones above).
    expect(await syncline("codegen", "--dir", "syncline")).toContain("for 4 functions");
    // The fixture's expected errors make each misuse (an internal reference in useQuery, ...)
    // a required compile error, and its assertions fail on `any`.
    for (const config of ["tsconfig.json", "tsconfig.node16.json", "tsconfig.node10.json"]) {
      await expect(run(bin("tsc"), ["-p", config], project).then(() => "no errors"), config).resolves.toBe("no errors");
    }
  });
});
