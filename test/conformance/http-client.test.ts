// The official ConvexHttpClient against our server: query, mutation, action, AppError data and
// the internal-function error.

import { ConvexError } from "convex/values";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { startTestServer } from "../helpers/server.js";

let server: RunningServer;
let client: ConvexHttpClient;
const api = anyApi;
beforeAll(async () => {
  server = await startTestServer();
  client = new ConvexHttpClient(server.url, { logger: false });
});
afterAll(() => server.close());

describe("ConvexHttpClient against Syncline", () => {
  it("runs queries with int64, bytes and special floats intact", async () => {
    expect(await client.query(api.myFunctions!.sum!, { a: 1, b: 2 })).toBe(3);
    const args = { n: 2n ** 62n, b: new Uint8Array([1, 2, 3]).buffer, f: -0, nan: Number.NaN };
    const echoed = (await client.query(api.behaviour!.echo!, args)) as typeof args;
    expect(echoed.n).toBe(2n ** 62n);
    expect([...new Uint8Array(echoed.b)]).toEqual([1, 2, 3]);
    expect(Object.is(echoed.f, -0)).toBe(true);
    expect(echoed.nan).toBeNaN();
  });

  it("runs mutations and sees their writes", async () => {
    const id = await client.mutation(api.myFunctions!.createTask!, { text: "from the official client" });
    expect(await client.query(api.myFunctions!.getTask!, { id })).toMatchObject({ _id: id, text: "from the official client" });
  });

  it("runs actions", async () => {
    const result = (await client.action(api.behaviour!.slowAction!, { ms: 10 })) as { started: number; ended: number };
    expect(result.ended).toBeGreaterThanOrEqual(result.started);
  });

  it("receives AppError data as ConvexError data", async () => {
    const error = await client.mutation(api.behaviour!.failWithData!, { code: "E42" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<{ code: string }>).data).toEqual({ code: "E42", retry: false });
  });

  it("gets the same error for an internal function as for a missing one", async () => {
    const internal = await client.mutation(api.plans!.markPlanAsProfessional!, { planId: "plans_x" }).catch((e: Error) => e.message);
    const missing = await client.mutation(api.plans!.nothingHere!, {}).catch((e: Error) => e.message);
    expect(internal).toContain("Could not find public function for 'plans:markPlanAsProfessional'.");
    expect(missing).toContain("Could not find public function for 'plans:nothingHere'.");
    expect(internal.replace("markPlanAsProfessional", "X")).toBe(missing.replace("nothingHere", "X"));
  });
});
