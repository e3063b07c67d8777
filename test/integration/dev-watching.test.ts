// `syncline dev` as a process. README "Running the server": syncline dev "on every change
// rebuilds, regenerates and hot-swaps the functions".

import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { writeGeneratedStep } from "../../src/codegen/generated-step.js";
import { watchFunctions } from "../../src/cli/watch-functions.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { startDev as startDevProcess } from "../helpers/cli-process.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const project = (files: Record<string, string>): TempProject => tempProject(files, cleanups);

/** Starts `syncline dev` on `dir` (in memory) and resolves with its API URL once it says it is ready. */
const startDev = (dir: string) => startDevProcess(dir, ["--db", ":memory:"], cleanups);

/** Polls `name` until it answers `expected` or `ms` pass; returns the last answer. */
async function valueWithin(url: string, name: string, expected: unknown, ms: number): Promise<unknown> {
  const deadline = Date.now() + ms;
  let value: unknown;
  do {
    value = (await call(url, "query", name)).body.value;
    if (value === expected) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  return value;
}

describe("syncline dev picks up every change", () => {
  it("including a file saved while the first build was being loaded (before the watcher started)", async () => {
    // `a.ts` stands in for a user saving `b.ts` while dev starts: while its first build is being
    // loaded (after esbuild read b.ts), it writes a new b.ts once. Nothing changes after that, so
    // only a watcher that was already watching (or a check after the start) can see the save.
    const p = project({
      "b.ts": `import { query } from "syncline/server"; export const value = query(() => 1);`,
    });
    const flag = join(p.root, "saved-once");
    p.write(
      "a.ts",
      `import { query } from "syncline/server";
import { existsSync, writeFileSync } from "node:fs";
if (!existsSync(${JSON.stringify(flag)})) {
  writeFileSync(${JSON.stringify(flag)}, "");
  writeFileSync(${JSON.stringify(join(p.dir, "b.ts"))}, 'import { query } from "syncline/server"; export const value = query(() => 2);');
}
export const ping = query(() => "pong");`,
    );
    const { url } = await startDev(p.dir);
    // A change is served within the debounce (80 ms) plus a rebuild; 5 s is plenty.
    expect(await valueWithin(url, "b:value", 2, 5_000)).toBe(2);
  });
});

describe("the watcher of syncline dev", () => {
  it("keeps watching a functions folder that is removed and made again (rm -rf, then a copy or checkout)", async () => {
    const p = project({ "a.ts": `import { query } from "syncline/server"; export const value = query(() => 1);` });
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), generated: writeGeneratedStep });
    cleanups.push(() => server.close());
    const failures: string[] = [];
    cleanups.push(watchFunctions(p.dir, () => server.reload().catch((error: Error) => void failures.push(error.message))));

    rmSync(p.dir, { recursive: true });
    // The removal is seen (a reload is tried and fails: there is no folder) before the copy lands.
    expect(await until(() => failures.length > 0, 5_000)).toBe(true);
    p.write("a.ts", `import { query } from "syncline/server"; export const value = query(() => 2);`);
    expect(await valueWithin(server.url, "a:value", 2, 5_000)).toBe(2);
  });
});

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return condition();
}
