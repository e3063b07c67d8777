// What each entry point ships. The typical imports (`syncline`, `syncline/react`) carry neither
// the panel nor the event code of inspectClient; `syncline/devtools` (the React component) loads
// the panel through a dynamic import, so a production build that keeps <SynclineDevtools /> in its
// tree ships the panel only as a chunk it never loads.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { isDevelopment } from "../../../src/devtools/environment.js";

const ROOT = new URL("../../..", import.meta.url).pathname;
const outdir = mkdtempSync(join(tmpdir(), "syncline-bundles-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Bundles `source` (split into chunks at dynamic imports) and returns esbuild's metafile. */
async function bundle(source: string): Promise<Metafile> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    external: ["react", "react-dom"],
    outdir,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return result.metafile;
}

/** The source files in the entry's own output and those of its static imports (not the lazy chunks). */
function staticInputs(metafile: Metafile): string[] {
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint !== undefined)!;
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]!.imports) if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entry[0]);
  return [...seen].flatMap((path) => shipped(metafile.outputs[path]!));
}

/** The source files that put code into an output (a file tree-shaken to nothing does not count). */
function shipped(output: Metafile["outputs"][string]): string[] {
  return Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

const DEVTOOLS = /src\/devtools\/|src\/client\/inspect\.ts/;

describe("what each entry point ships", () => {
  it("the client with the React hooks contains no devtools code", async () => {
    const metafile = await bundle(`export { SynclineClient } from "./src/index.ts"; export * from "./hooks/index.ts";`);
    const inputs = Object.values(metafile.outputs).flatMap(shipped);
    expect(inputs.some((path) => path.includes("src/client/client.ts"))).toBe(true);
    expect(inputs.filter((path) => DEVTOOLS.test(path))).toEqual([]);
  });

  it("<SynclineDevtools /> loads the panel and inspectClient lazily", async () => {
    const metafile = await bundle(`export { SynclineDevtools } from "./hooks/devtools.tsx";`);
    expect(staticInputs(metafile).filter((path) => DEVTOOLS.test(path) && !path.endsWith("environment.ts"))).toEqual([]);
    expect(Object.values(metafile.outputs).flatMap(shipped)).toContain("src/devtools/panel.ts"); // in a chunk of its own
  });

  it("isDevelopment follows the bundler's process.env.NODE_ENV (esbuild: production when minifying)", async () => {
    const run = async (define: Record<string, string>, minify = true) => {
      const result = await build({
        stdin: { contents: `export { isDevelopment } from "./src/devtools/environment.ts";`, resolveDir: ROOT, loader: "ts" },
        bundle: true,
        minify,
        format: "esm",
        platform: "browser",
        define,
        write: false,
        logLevel: "silent",
      });
      const code = result.outputFiles[0]!.text;
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as { isDevelopment(): boolean };
      return { code, value: module.isDevelopment() };
    };
    const production = await run({ "process.env.NODE_ENV": '"production"' });
    expect(production.value).toBe(false);
    expect(production.code).not.toContain("process"); // folded away at build time
    expect((await run({ "process.env.NODE_ENV": '"development"' })).value).toBe(true);
    // Nothing defined: esbuild sets "production" itself when minifying for browsers, else "development".
    expect((await run({})).value).toBe(false);
    expect((await run({}, false)).value).toBe(true);
  });

  it("isDevelopment counts as development where nothing replaced it and there is no process (a page without a bundler)", () => {
    const global = globalThis as { process?: NodeJS.Process };
    const saved = global.process;
    let development: boolean;
    delete global.process; // synchronously: nothing else runs until it is back
    try {
      development = isDevelopment();
    } finally {
      global.process = saved;
    }
    expect(development).toBe(true);
  });
});
