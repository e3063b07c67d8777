// `syncline dev --run "<command>"`: the command starts once the server is ready, with its URLs;
// every line is prefixed with its source; one signal to the dev server stops both (and whatever
// the command started); a command that exits on its own is reported with its code or signal, and
// the dev server stops with it.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { startDev } from "../helpers/cli-process.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";

const cleanups = cleanupAfterEach();

// The command beside the server: prints what it got, then behaves as its argument says.
const BESIDE = `
console.log("url " + process.env.SYNCLINE_URL + " site " + process.env.SYNCLINE_SITE_URL);
console.error("a line on stderr");
// The handler first: a test stops the command as soon as it reads the pid line.
process.on("SIGTERM", () => { console.log("stopping on SIGTERM"); setTimeout(() => process.exit(0), 300); });
console.log("pid " + process.pid);
const mode = process.argv[2];
if (mode === "exit3") setTimeout(() => process.exit(3), 50);
else if (mode === "kill") setTimeout(() => process.kill(process.pid, "SIGKILL"), 50);
else setInterval(() => {}, 1000);
`;

function project(): TempProject {
  const p = tempProject({ "a.ts": `import { query } from "syncline/server"; export const value = query(() => 1);` }, cleanups);
  writeFileSync(join(p.root, "beside.mjs"), BESIDE);
  return p;
}

/** The process runs (Linux: a zombie, ended but not yet reaped by its new parent, does not). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

/** The pids the command printed (`pid 123`), once `count` of them are out. */
async function pids(output: string[], count: number): Promise<number[]> {
  const found = () => output.flatMap((line) => /^\[beside\] pid (\d+)$/.exec(line)?.slice(1).map(Number) ?? []);
  expect(await until(() => found().length >= count), output.join("\n")).toBe(true);
  return found();
}

describe("syncline dev --run", () => {
  it("starts the command with the server's URLs and prefixes every line, the server's and the command's, stdout and stderr", async () => {
    const p = project();
    const dev = await startDev(p.dir, ["--site-port", "0", "--run", "node beside.mjs"], cleanups);
    await pids(dev.output, 1);
    const site = /Site:\s+(http:\S+)/.exec(dev.output.join("\n"))?.[1];
    expect(dev.output).toContain(`[beside] url ${dev.url} site ${site}`);
    // (stderr is a pipe of its own: its line may come after the stdout lines)
    expect(await until(() => dev.output.includes("[beside] a line on stderr")), dev.output.join("\n")).toBe(true);
    const own = dev.output.filter((line) => !line.startsWith("[beside]"));
    expect(own.length).toBeGreaterThan(3);
    for (const line of own) expect(line).toMatch(/^\[syncline\]( |$)/);
    expect(own).toContain(`[syncline]   API:       ${dev.url}`);
    // Started once the server was ready: after its banner.
    expect(dev.output.findIndex((line) => line.startsWith("[beside]"))).toBeGreaterThan(dev.output.findIndex((line) => line.includes("Functions:")));
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`one ${signal} to the dev server stops both, and exits 0`, async () => {
      const p = project();
      const dev = await startDev(p.dir, ["--run", "node beside.mjs"], cleanups);
      const [pid] = await pids(dev.output, 1);
      expect(await dev.stop(signal)).toBe(0);
      expect(alive(pid!)).toBe(false);
      expect(dev.output).toContain("[beside] stopping on SIGTERM");
    });
  }

  it("the same Ctrl-C twice (the terminal's, and npm's copy of it) still stops both in order", async () => {
    const p = project();
    const dev = await startDev(p.dir, ["--run", "node beside.mjs"], cleanups);
    const [pid] = await pids(dev.output, 1);
    const code = dev.stop("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first is being handled
    await dev.stop("SIGINT");
    expect(await code).toBe(0);
    expect(alive(pid!)).toBe(false);
    expect(dev.output).toContain("[beside] stopping on SIGTERM");
  });

  it("stops every process of the command, not only the shell: a command line of several", async () => {
    const p = project();
    // `&` and `wait` keep the shell from replacing itself with node: node is its child.
    const dev = await startDev(p.dir, ["--run", "node beside.mjs & node beside.mjs & wait"], cleanups);
    const both = await pids(dev.output, 2);
    expect(await dev.stop("SIGINT")).toBe(0);
    expect(both.filter(alive)).toEqual([]);
  });

  it("a command that exits is reported with its exit code, and the dev server stops with that code", async () => {
    const p = project();
    const dev = await startDev(p.dir, ["--run", "node beside.mjs exit3"], cleanups);
    expect(await dev.exited).toBe(3);
    // The server's last word; the command's own last lines may trail it on a loaded machine
    // (they are waited for half a second, not forever: something the command started may hold them).
    expect(dev.output.filter((line) => line.startsWith("[syncline]")).at(-1)).toBe("[syncline] beside exited with code 3; stopping the dev server.");
  });

  it("a command ended by a signal is reported with the signal; the exit code is 128 + its number", async () => {
    const p = project();
    const dev = await startDev(p.dir, ["--run", "node beside.mjs kill"], cleanups);
    expect(await dev.exited).toBe(137);
    expect(dev.output.at(-1)).toBe("[syncline] beside was ended by SIGKILL; stopping the dev server.");
  });

  it("a command the shell cannot find says so", async () => {
    const p = project();
    const dev = await startDev(p.dir, ["--run", "no-such-command-here"], cleanups);
    expect(await dev.exited).toBe(127);
    expect(dev.output.at(-1)).toBe("[syncline] no-such-command-here exited with code 127 (the shell did not find the command); stopping the dev server.");
    expect(dev.output.some((line) => /^\[no-such-command-here\] .*not found/.test(line))).toBe(true);
  });
});
