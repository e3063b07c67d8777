// A live query whose database read fails (Postgres restarting, a connection lost past its retries)
// must not stay "running" for ever: its clients keep the last result, and it runs again, with a
// growing pause, until the database answers. (A function's own error is an outcome, not this.)

import { afterEach, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import type { OpenedDatabase } from "../../../src/server/db/types.js";
import type { QueryOutcome, Runtime } from "../../../src/server/runtime/runtime.js";
import type { Subscription } from "../../../src/server/sync/subscription.js";
import { SubscriptionManager } from "../../../src/server/sync/subscription-manager.js";
import { waitFor } from "../../helpers/wait.js";

let db: OpenedDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

/** A runtime whose query batches fail `failures` times, then answer 42. */
function flakyRuntime(database: OpenedDatabase, failures: number): { runtime: Runtime; attempts: number[] } {
  const attempts: number[] = [];
  const runtime = {
    async queryBatch(calls: readonly unknown[]): Promise<QueryOutcome[]> {
      attempts.push(Date.now());
      if (attempts.length <= failures) throw new Error("the connection to the database was lost");
      return calls.map(() => ({ ok: true, value: 42, logLines: [], ts: database.latestTimestamp(), readSet: undefined, usedIdentity: false }));
    },
  } as unknown as Runtime;
  return { runtime, attempts };
}

it("runs a subscription again after its database read failed, and shows its watcher the result once there is one", async () => {
  db = await openDatabase({ path: ":memory:" });
  const { runtime, attempts } = flakyRuntime(db, 3);
  const warnings: string[] = [];
  const logger = { info() {}, warn: (line: string) => warnings.push(line), error() {}, functionLine() {} };
  const manager = new SubscriptionManager(() => runtime, db, { prod: false, logger });
  const changed: Subscription[] = [];
  const subscription = manager.watch({ subscriptionChanged: (s) => changed.push(s) }, 0, "q:get", {}, "{}", { origin: "client", identity: null }, null);

  await waitFor(() => changed.length, (n) => n === 1, 10_000);
  expect(attempts).toHaveLength(4);
  expect(subscription.state).toBe("idle");
  expect(JSON.parse(subscription.result!.json)).toMatchObject({ type: "QueryUpdated", value: 42 });
  // The pauses grow (100, 200, 400 ms), and each failed round is said once.
  const pauses = attempts.slice(1).map((at, i) => at - attempts[i]!);
  expect(pauses[1]!).toBeGreaterThan(pauses[0]!);
  expect(pauses[2]!).toBeGreaterThan(pauses[1]!);
  expect(warnings).toHaveLength(3);
  expect(warnings[0]).toMatch(/^Live queries could not run \(the connection to the database was lost\); retrying in 100 ms$/);
  manager.close();
});

it("stops retrying once closed", async () => {
  db = await openDatabase({ path: ":memory:" });
  const { runtime, attempts } = flakyRuntime(db, Infinity);
  const manager = new SubscriptionManager(() => runtime, db, { prod: false });
  manager.watch({ subscriptionChanged() {} }, 0, "q:get", {}, "{}", { origin: "client", identity: null }, null);
  await waitFor(() => attempts.length, (n) => n === 1);
  manager.close();
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(attempts).toHaveLength(1);
});
