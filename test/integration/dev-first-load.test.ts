// `syncline dev` on a functions folder whose first load fails: it prints the error once, keeps
// watching instead of exiting, and serves as soon as a save makes the folder load.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/server.js";
import { CLI } from "../helpers/cli-process.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";

const cleanups = cleanupAfterEach();
const REPO = join(import.meta.dirname, "../..");

const BROKEN = `import { query } from "syncline/server";\nexport const value = query(() => 1 +);\n`;
const FIXED = `import { query } from "syncline/server";\nexport const value = query(() => 42);\n`;

async function until(test: () => boolean, what: string, output: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("syncline dev after a failed first load", () => {
  it("keeps watching, prints the error once, and serves once the folder loads", async () => {
    const p = tempProject({ "a.ts": BROKEN }, cleanups);
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", p.dir, "--port", "0", "--no-typecheck", "--db", ":memory:"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) => child.once("exit", (code) => ((exitCode = code), resolve())));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => output.push(line));
    createInterface({ input: child.stderr }).on("line", (line) => output.push(line));

    await until(() => output.some((line) => line.includes("Build failed")), "the build error", output);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(exitCode).toBeUndefined(); // still running
    expect(output.filter((line) => line.includes("Build failed")).length).toBe(1);
    expect(output.join("\n")).toContain("a.ts");

    // The same mistake saved again: one short line, not the whole error again.
    p.write("a.ts", BROKEN + "\n");
    await until(() => output.some((line) => line.includes("Build failed again with the same error")), "the repeated-error line", output);

    p.write("a.ts", FIXED);
    await until(() => output.some((line) => /API:\s+http:/.test(line)), "the server to start", output);
    const url = /API:\s+(http:\S+)/.exec(output.find((line) => /API:\s+http:/.test(line))!)![1]!;
    expect((await call(url, "query", "a:value")).body.value).toBe(42);

    child.kill("SIGINT");
    await exited;
    expect(exitCode).toBe(0);
  });

  it("stops cleanly on a signal while waiting for the folder to load", async () => {
    const p = tempProject({ "a.ts": BROKEN }, cleanups);
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "dev", "--dir", p.dir, "--port", "0", "--no-typecheck", "--db", ":memory:"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => output.push(line));
    createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
    await until(() => output.some((line) => line.includes("Build failed")), "the build error", output);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
