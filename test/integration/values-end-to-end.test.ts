// Values through a real server and both clients. AppError data of
// every value type reaches the client intact (protocol.md §11.4), results keep the float64 and
// int64 edge values (§11.1), `returns` refuses extra fields and non-values with the path, and a
// handler that returns nothing under `returns: v.null()` gives null.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isAppError, makeFunctionReference, SynclineClient, SynclineHttpClient, type AppError } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import type { Value } from "syncline/values";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const VALUES_TS = `import { action, mutation, query } from "syncline/server";
import { AppError, v } from "syncline/values";
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const all = () => {
  const proto: Record<string, unknown> = {};
  Object.defineProperty(proto, "__proto__", { value: 1, enumerable: true, writable: true, configurable: true });
  return [null, false, true, 0, -0, NaN, Infinity, -Infinity, 1.5, INT64_MIN, INT64_MAX, 0n,
    "", "h\\u00e9llo \\u{1F600}", new Uint8Array([0, 255, 7]).buffer, new ArrayBuffer(0),
    [], {}, { nested: [{ deep: [1n, "x"] }] }, proto];
};
export const fail = mutation({ args: { i: v.number() }, handler: async (_ctx, { i }) => { throw new AppError(all()[i] as any); } });
export const failQuery = query({ args: { i: v.number() }, handler: async (_ctx, { i }) => { throw new AppError(all()[i] as any); } });
export const count = query({ args: {}, handler: async () => all().length });
export const edges = action({ args: {}, handler: async () => all() });
export const extraField = query({ args: {}, returns: v.object({ a: v.string() }), handler: async () => ({ a: "x", b: 1 }) as any });
export const nothing = mutation({ args: {}, returns: v.null(), handler: async () => {} });
export const fn = query({ args: {}, handler: async () => ({ f: () => 1 }) as any });
export const klass = query({ args: {}, handler: async () => ({ list: [1, new (class Point { x = 1 })()] }) as any });
export const sym = query({ args: {}, handler: async () => [Symbol("s")] as any });
export const holes = query({ args: {}, handler: async () => ({ list: [1, , 3] }) as any });
`;

let project: TempProject;
let server: RunningServer;
beforeAll(async () => {
  project = tempProject({ "values.ts": VALUES_TS });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server.close();
  project.remove();
});

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const proto: Record<string, Value> = {};
Object.defineProperty(proto, "__proto__", { value: 1, enumerable: true, writable: true, configurable: true });
const EXPECTED: Value[] = [
  null, false, true, 0, -0, NaN, Infinity, -Infinity, 1.5, INT64_MIN, INT64_MAX, 0n,
  "", "h\u00e9llo \u{1F600}", new Uint8Array([0, 255, 7]).buffer, new ArrayBuffer(0),
  [], {}, { nested: [{ deep: [1n, "x"] }] }, proto,
];

/** Same value: Object.is for numbers (NaN equals NaN, -0 is not 0), bytes by content, own keys only. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    return a instanceof ArrayBuffer && b instanceof ArrayBuffer && Buffer.from(a).equals(Buffer.from(b));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const fail = makeFunctionReference<"mutation", { i: number }, null>("mutation", "values:fail");
const failQuery = makeFunctionReference<"query", { i: number }, null>("query", "values:failQuery");
const edges = makeFunctionReference<"action", Record<string, never>, Value[]>("action", "values:edges");

describe("AppError data of every value type reaches the client", () => {
  it("over HTTP (SynclineHttpClient)", async () => {
    expect((await call(server.url, "query", "values:count")).body.value).toBe(EXPECTED.length);
    const client = new SynclineHttpClient(server.url, { logger: false });
    for (let i = 0; i < EXPECTED.length; i++) {
      const error = await client.mutation(fail, { i }).then(() => undefined, (e: unknown) => e);
      expect(isAppError(error), `data #${i}`).toBe(true);
      expect(same((error as AppError).data, EXPECTED[i]), `data #${i}`).toBe(true);
    }
  });

  it("over the WebSocket (SynclineClient), for mutations and subscribed queries", async () => {
    const client = new SynclineClient(server.url, { WebSocket, logger: false });
    try {
      for (let i = 0; i < EXPECTED.length; i++) {
        const error = await client.mutation(fail, { i }).then(() => undefined, (e: unknown) => e);
        expect(isAppError(error), `data #${i}`).toBe(true);
        expect(same((error as AppError).data, EXPECTED[i]), `data #${i}`).toBe(true);
      }
      for (const i of [4, 5, 10, 14, 19]) {
        const error = await new Promise<unknown>((resolve) => {
          const unsubscribe = client.subscribe(failQuery, { i }, () => {}, (e: Error) => {
            resolve(e);
            unsubscribe();
          });
        });
        expect(isAppError(error), `query data #${i}`).toBe(true);
        expect(same((error as AppError).data, EXPECTED[i]), `query data #${i}`).toBe(true);
      }
    } finally {
      await client.close();
    }
  });
});

describe("results", () => {
  it("keep -0, NaN, ±Infinity, int64 extremes, bytes and a __proto__ field", async () => {
    const client = new SynclineHttpClient(server.url, { logger: false });
    const result = await client.action(edges, {});
    expect(result).toHaveLength(EXPECTED.length);
    EXPECTED.forEach((expected, i) => expect(same(result[i], expected), `value #${i}`).toBe(true));
  });

  it("returns refuses a field the validator does not declare, naming it", async () => {
    const answer = await call(server.url, "query", "values:extraField");
    expect(answer.body.status).toBe("error");
    expect(answer.body.errorMessage).toMatch(/ReturnsValidationError: values:extraField returned a value that does not match its returns validator: result\.b: unexpected field "b"/);
  });

  it("returns: v.null() with a handler that returns nothing answers null", async () => {
    expect((await call(server.url, "mutation", "values:nothing")).body).toMatchObject({ status: "success", value: null });
  });

  it("functions, class instances, symbols and array holes are refused with the path", async () => {
    const message = async (name: string) => String((await call(server.url, "query", `values:${name}`)).body.errorMessage);
    expect(await message("fn")).toMatch(/result\.f: function is not a supported value/);
    expect(await message("klass")).toMatch(/result\.list\[1\]: Point is not a supported value/);
    expect(await message("sym")).toMatch(/result\[0\]: symbol is not a supported value/);
    expect(await message("holes")).toMatch(/result\.list\[1\]: undefined is not a supported value/);
  });
});
