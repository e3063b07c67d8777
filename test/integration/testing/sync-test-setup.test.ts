/// <reference types="vite/client" />
// syncTest's setup: where the functions folder is, the per-process build cache (one build per
// folder, a fresh one when a source file changed), and clear errors for a bad folder or code.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { syncTest } from "syncline/testing";
import { silentLogger } from "syncline/server";
import { makeFunctionReference } from "syncline";
import { api, internal } from "../../fixtures/testing/syncline/_generated/api";
import { tempProject } from "../../helpers/temp-project";
import { TESTING_FIXTURE } from "./fixture";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const COUNTER = (answer: number) => `import { query } from "syncline/server";
export const answer = query({ args: {}, handler: () => ${answer} });`;

describe("the functions folder", () => {
  it("may be given as a file: URL", async () => {
    const t = await syncTest({ dir: pathToFileURL(TESTING_FIXTURE), logger: silentLogger });
    cleanups.push(() => t.close());
    expect(await t.query(api.messages.list, { room: "a" })).toEqual([]);
  });

  it("refuses a URL that is not a file: URL, saying what to write instead", async () => {
    await expect(syncTest({ dir: new URL("http://localhost:3000/syncline") })).rejects.toThrow(/must be a path or a file: URL.*import\.meta\.dirname/);
  });

  it("says so when the folder does not exist", async () => {
    await expect(syncTest({ dir: join(TESTING_FIXTURE, "missing") })).rejects.toThrow(/There is no functions folder/);
  });
});

describe("the build cache", () => {
  it("builds a folder once per process and again when a source changed", async () => {
    const project = tempProject({ "answers.ts": COUNTER(1) }, cleanups);
    const buildsOfThisProcess = () => readdirSync(join(project.root, ".syncline", "build")).filter((name) => name.startsWith(`${process.pid}-`));
    const first = await syncTest({ dir: project.dir, logger: silentLogger });
    cleanups.push(() => first.close());
    const second = await syncTest({ dir: project.dir, logger: silentLogger });
    cleanups.push(() => second.close());
    expect(buildsOfThisProcess()).toHaveLength(1);
    expect(await second.query(makeFunctionReference<"query", {}, number>("query", "answers:answer"), {})).toBe(1);

    project.write("answers.ts", COUNTER(42));
    const third = await syncTest({ dir: project.dir, logger: silentLogger });
    cleanups.push(() => third.close());
    expect(await third.query(makeFunctionReference<"query", {}, number>("query", "answers:answer"), {})).toBe(42);
    expect(buildsOfThisProcess()).toHaveLength(2);
  });

  it("reports a build error, and tries again next time (the test may have fixed the file)", async () => {
    const project = tempProject({ "broken.ts": "export const = 1;" }, cleanups);
    await expect(syncTest({ dir: project.dir })).rejects.toThrow(/broken\.ts/);
    project.write("broken.ts", COUNTER(7));
    const t = await syncTest({ dir: project.dir, logger: silentLogger });
    cleanups.push(() => t.close());
    expect(await t.query(makeFunctionReference<"query", {}, number>("query", "broken:answer"), {})).toBe(7);
  });

  it("gives every runtime its own database and clock", async () => {
    const a = await syncTest({ dir: TESTING_FIXTURE, startTime: 1_000, logger: silentLogger });
    const b = await syncTest({ dir: TESTING_FIXTURE, startTime: 2_000, logger: silentLogger });
    cleanups.push(() => a.close(), () => b.close());
    await a.mutation(api.messages.send, { room: "r", body: "only in a" });
    await a.advanceTime(500);
    expect(await b.query(api.messages.list, { room: "r" })).toEqual([]);
    expect([a.now(), b.now()]).toEqual([1_500, 2_000]);
  });
});

describe("the modules form", () => {
  it("runs the folder from modules the test runner imported (import.meta.glob), without bundling", async () => {
    const modules = import.meta.glob("../../fixtures/testing/syncline/**/*.ts");
    const t = await syncTest({ modules, startTime: 0, logger: silentLogger });
    cleanups.push(() => t.close());
    await t.mutation(api.messages.send, { room: "m", body: "from modules" });
    expect(await t.query(api.messages.list, { room: "m" })).toMatchObject([{ body: "from modules" }]);
    await t.advanceTime(10 * 60_000); // crons.ts came along
    expect(await t.run(async (ctx) => (await ctx.db.query("events").collect()).map((e) => e.what))).toEqual(["cron"]);
    expect((await t.fetch("/refuse")).status).toBe(500); // and http.ts
  });

  it("takes eager modules too, and finds the folder without _generated", async () => {
    const eager = import.meta.glob(["../../fixtures/testing/syncline/*.ts"], { eager: true });
    const t = await syncTest({ modules: eager, logger: silentLogger });
    cleanups.push(() => t.close());
    expect(await t.query(internal.messages.count, { room: "x" })).toBe(0);
  });

  it("refuses dir and modules together, and modules holding no functions module", async () => {
    await expect(syncTest({ dir: TESTING_FIXTURE, modules: {} })).rejects.toThrow(/either dir or modules/);
    await expect(syncTest({ modules: { "./notes.md": "" } })).rejects.toThrow(/None of the 1 modules/);
  });
});
