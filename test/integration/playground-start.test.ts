// `npm run playground` (playground/start.ts) keeps the playground up when its backend stops: it
// says which exit it was, starts `syncline dev` again on the same ports, and Vite never stops. A
// backend that keeps dying is not restarted in a loop. Real processes, stopped by PID.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "../..");

interface Playground {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** Resolves with the first output line after `from` that matches. */
  line(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
}

function startPlayground(dbFile: string): Playground {
  const child = spawn(process.execPath, ["--import", "tsx", "playground/start.ts", "--port", "0", "--site-port", "0", "--db", dbFile, "--no-typecheck"], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      output.push(line);
      for (const wake of waiters) wake();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = (pattern: RegExp, from = 0, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = output.slice(from).find((text) => pattern.test(text));
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no line matching ${pattern} in:\n${output.join("\n")}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, output, exited, line };
}

/** The PID of `syncline dev` among the playground's children (Vite's esbuild service is one too). */
function backendPid(playground: Playground): number {
  const children = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(playground.child.pid)], { encoding: "utf8" }).trim().split("\n");
  const pids = children.filter((line) => /src\/cli\/main\.ts dev /.test(line)).map((line) => Number.parseInt(line.trim(), 10));
  expect(pids).toHaveLength(1);
  return pids[0]!;
}

async function answers(apiUrl: string): Promise<number> {
  const response = await fetch(`${apiUrl}/api/query`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: "me:whoami", args: [{}], format: "json" }),
  });
  return response.status;
}

describe("npm run playground", () => {
  let playground: Playground | undefined;
  let scratch: string | undefined;
  afterEach(async () => {
    if (playground && playground.child.exitCode === null) {
      playground.child.kill("SIGINT");
      await playground.exited;
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("says why the backend stopped, starts it again on the same port, and keeps Vite serving", async () => {
    scratch = mkdtempSync(join(tmpdir(), "syncline-playground-"));
    playground = startPlayground(join(scratch, "data.sqlite"));
    const api = /API:\s+(http\S+)/.exec(await playground.line(/API:\s+http/))![1]!;
    const page = /Playground:\s+(http\S+)/.exec(await playground.line(/Playground:\s+http/))![1]!;
    expect(await answers(api)).toBe(200);

    const mark = playground.output.length;
    process.kill(backendPid(playground), "SIGKILL");
    await playground.line(
      new RegExp(`\\[playground\\] syncline dev was killed by SIGKILL; starting it again on port ${new URL(api).port} \\(open pages reconnect by themselves\\)\\.`),
      mark,
    );
    expect((await fetch(page)).status).toBe(200); // Vite never stopped
    const again = /API:\s+(http\S+)/.exec(await playground.line(/API:\s+http/, mark))![1]!;
    expect(again).toBe(api);
    expect(await answers(api)).toBe(200);

    playground.child.kill("SIGINT");
    expect(await playground.exited).toBe(0);
  }, 90_000);

  it("stops restarting a backend that keeps dying, and says so", async () => {
    scratch = mkdtempSync(join(tmpdir(), "syncline-playground-"));
    playground = startPlayground(join(scratch, "data.sqlite"));
    await playground.line(/Playground:\s+http/);
    for (let kill = 1; kill <= 4; kill++) {
      const mark = playground.output.length;
      process.kill(backendPid(playground), "SIGKILL");
      if (kill < 4) await playground.line(/API:\s+http/, mark);
      else await playground.line(/\[playground\] syncline dev was killed by SIGKILL, the 4th time in 30 s; not starting it again\./, mark);
    }
    expect(playground.child.exitCode).toBeNull(); // Vite keeps serving until Ctrl-C
  }, 90_000);
});
