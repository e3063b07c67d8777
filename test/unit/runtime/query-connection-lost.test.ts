// A query whose read lost its database connection (Postgres restarting under it) has not failed:
// the runtime throws the loss on instead of making it the query's outcome, so the read is tried
// again (the Postgres engine retries it; a live query runs again, subscription-manager.ts). Kept as
// an outcome, a live query would hold a failed result whose read set stopped at the loss, and no
// later commit would ever run it again: its clients would see no update until they resubscribed.

import { afterEach, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import type { OpenedDatabase } from "../../../src/server/db/types.js";
import { mutation, query } from "../../../src/server/define/registration.js";
import type { LoadedModules } from "../../../src/server/runtime/load.js";
import { Runtime } from "../../../src/server/runtime/runtime.js";
import { MemoryBlobStore } from "../../../src/server/storage/blob-store.js";
import { FileStorage } from "../../../src/server/storage/file-storage.js";
import type { Subscription } from "../../../src/server/sync/subscription.js";
import { SubscriptionManager } from "../../../src/server/sync/subscription-manager.js";
import { waitFor } from "../../helpers/wait.js";

let db: OpenedDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

const caller = { origin: "client" as const, identity: null };
let lostReads = 0;

const definitions = {
  "notes:count": query({
    args: {},
    handler: async (ctx) => {
      const notes = await ctx.db.query("notes").collect();
      if (lostReads > 0) {
        lostReads--;
        // What the Postgres driver throws when the server went away mid-read.
        throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
      }
      return notes.length;
    },
  }),
  "notes:add": mutation({ args: {}, handler: async (ctx) => ctx.db.insert("notes", {}) }),
  "notes:broken": query({ args: {}, handler: async () => { throw new Error("a bug in the function"); } }),
};

async function setup() {
  db = await openDatabase({ path: ":memory:" });
  const functions: LoadedModules["functions"] = new Map();
  for (const [name, definition] of Object.entries(definitions)) {
    const [modulePath, exportName] = name.split(":") as [string, string];
    functions.set(name, { name, modulePath, exportName, definition: definition as never });
  }
  const modules: LoadedModules = { functions, schema: undefined, authConfig: undefined, crons: [], http: undefined, modules: [] };
  const storage = new FileStorage({ db, blobs: new MemoryBlobStore(), baseUrl: () => "http://files.test", now: () => 0, warn: () => {} });
  return new Runtime(modules, db, { storage });
}

it("throws a lost connection on instead of answering it as the query's failure; a function's own error stays an outcome", async () => {
  const runtime = await setup();
  lostReads = 1;
  await expect(runtime.query("notes:count", {}, caller, { cache: false })).rejects.toMatchObject({ code: "57P01" });
  expect(await runtime.query("notes:count", {}, caller, { cache: false })).toMatchObject({ ok: true, value: 0 });
  expect(await runtime.query("notes:broken", {}, caller, { cache: false })).toMatchObject({ ok: false, message: expect.stringContaining("a bug in the function") });
});

it("a live query whose read lost its connection gets its result once the database answers, and later commits still update it", async () => {
  const runtime = await setup();
  lostReads = 2;
  const manager = new SubscriptionManager(() => runtime, db!, { prod: false });
  const results: string[] = [];
  manager.watch({ subscriptionChanged: (s: Subscription) => results.push(s.result!.json) }, 0, "notes:count", {}, "{}", caller, null);
  await waitFor(() => results.at(-1), (last) => last !== undefined && JSON.parse(last).value === 0, 10_000);
  await runtime.mutation("notes:add", {}, caller);
  await waitFor(() => results.at(-1), (last) => JSON.parse(last!).value === 1, 10_000);
  expect(results.map((json) => JSON.parse(json).type)).not.toContain("QueryFailed");
  manager.close();
});
