// Only public references of the right kind are accepted; anything else is refused before a single
// frame is sent (the socket is not even opened).

import { afterEach, describe, expect, it } from "vitest";
import type { FunctionReference } from "syncline";
import { api, internal } from "../../fixtures/app/syncline/_generated/api.js";
import { harness, settle, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

// Casts stand for plain JavaScript callers: the types already refuse all of these (test/types).
const asQuery = (ref: unknown) => ref as FunctionReference<"query", "public", { a: number; b: number }, number>;
const asMutation = (ref: unknown) => ref as FunctionReference<"mutation", "public", Record<string, never>, null>;
const asAction = (ref: unknown) => ref as FunctionReference<"action", "public", Record<string, never>, null>;

async function expectNothingSent() {
  await settle();
  expect(h.server.connections).toHaveLength(0);
}

describe("reference checks happen before anything is sent", () => {
  it("refuses an internal reference with a message that says why", async () => {
    h = await harness();
    await expect(h.client.mutation(asMutation(internal.plans.markPlanAsProfessional), {})).rejects.toThrow(
      /plans:markPlanAsProfessional is an internal function: it can only be called from other functions, the scheduler or the CLI/,
    );
    expect(() => h.client.subscribe(asQuery(internal.nested.deeper.things.secret), { a: 1, b: 2 }, () => {})).toThrow(/internal function/);
    await expect(h.client.query(asQuery(internal.nested.deeper.things.secret), { a: 1, b: 2 })).rejects.toThrow(/internal function/);
    expect(() => h.client.watchQuery(asQuery(internal.nested.deeper.things.secret), { a: 1, b: 2 })).toThrow(/internal function/);
    expect(() => h.client.prewarm(asQuery(internal.nested.deeper.things.secret), { a: 1, b: 2 })).toThrow(/internal function/);
    await expectNothingSent();
  });

  it("refuses a reference of the wrong kind", async () => {
    h = await harness();
    await expect(h.client.mutation(asMutation(api.myFunctions.sum), {})).rejects.toThrow("myFunctions:sum is a query, but it was called as a mutation.");
    await expect(h.client.action(asAction(api.myFunctions.createTask), {})).rejects.toThrow("myFunctions:createTask is a mutation, but it was called as an action.");
    expect(() => h.client.subscribe(asQuery(api.changes.upgrade), { a: 1, b: 2 }, () => {})).toThrow("changes:upgrade is an action, but it was called as a query.");
    await expectNothingSent();
  });

  it("refuses a plain string", async () => {
    h = await harness();
    await expect(h.client.query(asQuery("myFunctions:sum"), { a: 1, b: 2 })).rejects.toThrow(/Expected a function reference such as api.module.fn, got the string "myFunctions:sum"/);
    await expect(h.client.mutation(asMutation("myFunctions:createTask"), {})).rejects.toThrow(/got the string/);
    await expect(h.client.action(asAction("changes:upgrade"), {})).rejects.toThrow(/got the string/);
    await expectNothingSent();
  });

  it("refuses a misspelled api path, naming it and the closest existing path", async () => {
    h = await harness();
    const loose = api as unknown as Record<string, Record<string, unknown>>; // plain JavaScript
    await expect(h.client.query(asQuery(loose.myFunctions!.summ), { a: 1, b: 2 })).rejects.toThrow(
      new TypeError("api.myFunctions.summ does not exist; did you mean api.myFunctions.sum?"),
    );
    await expect(h.client.mutation(asMutation(loose.myFunction!.createTask), {})).rejects.toThrow(
      new TypeError("api.myFunction.createTask does not exist; did you mean api.myFunctions.createTask?"),
    );
    expect(() => h.client.watchQuery(asQuery(loose.myFunctions!.getTaskLst), { a: 1, b: 2 })).toThrow(
      new TypeError("api.myFunctions.getTaskLst does not exist; did you mean api.myFunctions.getTaskList?"),
    );
    await expect(h.client.action(asAction(loose.changes!.upgrad), {})).rejects.toThrow("api.changes.upgrad does not exist; did you mean api.changes.upgrade?");
    await expectNothingSent();
  });

  it("refuses arguments that are not a plain object of values", async () => {
    h = await harness();
    await expect(h.client.mutation(api.myFunctions.createTask, [] as never)).rejects.toThrow(/must be a plain object/);
    await expect(h.client.mutation(api.myFunctions.createTask, { text: new Date() } as never)).rejects.toThrow(/args.text/);
    await expectNothingSent();
  });
});
