// Subscription's watcher bookkeeping (subscription.ts): one watcher under one query id is kept
// without a map; a second query id or a second watcher moves to one; removals come back down,
// and the count the manager ends a subscription on is exact all the way.

import { expect, it } from "vitest";
import { Subscription, subscriptionKey, type SubscriptionWatcher } from "../../../src/server/sync/subscription.js";
import { encodeResult } from "../../../src/server/sync/encoded-result.js";

const watcher = (): SubscriptionWatcher => ({ subscriptionChanged() {} });
const anonymous = { origin: "client", identity: null } as const;
const subscription = () => new Subscription(subscriptionKey("q:get", "{}", anonymous, null), "q:get", {}, anonymous, null);

it("counts watchers and lists each one's query ids through every mix of adds and removes", () => {
  const s = subscription();
  const a = watcher();
  const b = watcher();
  expect(s.watcherCount).toBe(0);
  s.addWatch(a, 1);
  s.addWatch(a, 1); // the same id again changes nothing
  expect([...s.idsOf(a)]).toEqual([1]);
  s.addWatch(a, 2);
  expect([...s.idsOf(a)].sort()).toEqual([1, 2]);
  s.addWatch(b, 7);
  expect(s.watcherCount).toBe(2);
  expect([...s.watchers()]).toEqual([a, b]);
  expect([...s.idsOf(b)]).toEqual([7]);
  expect(s.removeWatch(a, 1)).toBe(2);
  expect([...s.idsOf(a)]).toEqual([2]);
  expect(s.removeWatch(a, 2)).toBe(1);
  expect([...s.idsOf(a)]).toEqual([]);
  expect(s.removeWatch(a, 2)).toBe(1); // removing what is not there changes nothing
  expect(s.removeWatch(b, 7)).toBe(0);
  expect([...s.watchers()]).toEqual([]);
  // Empty again: a new first watcher is kept as at the start.
  s.addWatch(b, 3);
  expect([...s.watchers()]).toEqual([b]);
  expect(s.removeWatch(a, 3)).toBe(1); // another watcher's id is not this one's
});

it("a result counts as new only when what the client sees changed (log lines aside)", () => {
  const s = subscription();
  const result = (value: number, logLines: string[] = []) => encodeResult({ type: "QueryUpdated", value, logLines, journal: null });
  expect(s.setResult(result(1), 5n, undefined, false)).toBe(true);
  expect(s.setResult(result(1, ["again"]), 6n, undefined, false)).toBe(false);
  expect(s.resultVersion).toBe(1);
  expect(s.setResult(result(2), 7n, undefined, false)).toBe(true);
  expect(s.resultVersion).toBe(2);
  expect(s.snapshotTs).toBe(7n);
});

it("reads its encoded args back from its key, whatever the identity and journal, and args holding NUL text", () => {
  const signedIn = { origin: "client", identity: { subject: "u\u00001", issuer: "https://issuer", tokenIdentifier: "https://issuer|u" } } as const;
  for (const encodedArgs of ["{}", '{"x":5635}', JSON.stringify({ text: "a\u0000b", n: [1, 2] })]) {
    for (const caller of [anonymous, signedIn]) {
      for (const journal of [null, '{"end":"x\u0000"}']) {
        const key = subscriptionKey("messages:list", encodedArgs, caller, journal);
        expect(new Subscription(key, "messages:list", {}, caller, journal).encodedArgs).toBe(encodedArgs);
      }
    }
  }
  // Keys differ by every part.
  const keys = new Set([subscriptionKey("a:b", "{}", anonymous, null), subscriptionKey("a:b", '{"x":1}', anonymous, null), subscriptionKey("a:b", "{}", signedIn, null), subscriptionKey("a:b", "{}", anonymous, "j")]);
  expect(keys.size).toBe(4);
});
