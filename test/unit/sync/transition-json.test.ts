// The shared encodings of results (encoded-result.ts) and the per-socket Transition envelope
// (transition-json.ts): the text they build parses to exactly the message the protocol defines.

import { expect, it } from "vitest";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { encodeResult, modificationJson, removedJson } from "../../../src/server/sync/encoded-result.js";
import { transitionJson } from "../../../src/server/sync/transition-json.js";
import type { JSONValue } from "../../../src/values/value.js";

it("a result encoded once reads back as each socket's own modification", () => {
  const updated = encodeResult({ type: "QueryUpdated", value: { text: "h\u00e9 \"quoted\" \u{1F600}", n: [1, null] }, logLines: ["[LOG] 'hi'"], journal: "j1" });
  expect(JSON.parse(modificationJson(updated, 7))).toEqual({
    type: "QueryUpdated",
    queryId: 7,
    value: { text: "h\u00e9 \"quoted\" \u{1F600}", n: [1, null] },
    logLines: ["[LOG] 'hi'"],
    journal: "j1",
  });
  expect(JSON.parse(modificationJson(updated, 8)).queryId).toBe(8);
  const failed = encodeResult({ type: "QueryFailed", errorMessage: "Uncaught Error: no\n  at x", errorData: { code: 4 }, logLines: [], journal: null });
  expect(JSON.parse(modificationJson(failed, 0))).toEqual({ type: "QueryFailed", queryId: 0, errorMessage: "Uncaught Error: no\n  at x", errorData: { code: 4 }, logLines: [], journal: null });
  const plainFailure = encodeResult({ type: "QueryFailed", errorMessage: "no", logLines: [], journal: null });
  expect(JSON.parse(modificationJson(plainFailure, 1))).not.toHaveProperty("errorData");
  expect(JSON.parse(removedJson(3))).toEqual({ type: "QueryRemoved", queryId: 3 });
});

it("equal results encode to equal text, log lines aside; a different value does not", () => {
  const a = encodeResult({ type: "QueryUpdated", value: { n: 1 }, logLines: ["one"], journal: null });
  const b = encodeResult({ type: "QueryUpdated", value: { n: 1 }, logLines: [], journal: null });
  const c = encodeResult({ type: "QueryUpdated", value: { n: 2 }, logLines: [], journal: null });
  expect(a.json).toBe(b.json);
  expect(c.json).not.toBe(b.json);
});

it("a transition's envelope carries each socket's versions, also when timestamps alternate", () => {
  const modification = modificationJson(encodeResult({ type: "QueryUpdated", value: 5, logLines: [], journal: null }), 2);
  // Three timestamps in turn: the remembered encodings must never answer for another one.
  const stamps = [5n, 9n, 5n, 2n ** 63n, 9n, 0n];
  for (let i = 1; i < stamps.length; i++) {
    const start = { querySet: i, identity: 0, ts: stamps[i - 1]! };
    const end = { querySet: i + 1, identity: 1, ts: stamps[i]! };
    const parsed: unknown = JSON.parse(transitionJson(start, end, i % 2 === 0 ? [] : [modification, removedJson(4)], -12.5, 1.7e18));
    expect(parsed).toEqual({
      type: "Transition",
      startVersion: { querySet: i, identity: 0, ts: encodeTimestamp(stamps[i - 1]!) },
      endVersion: { querySet: i + 1, identity: 1, ts: encodeTimestamp(stamps[i]!) },
      modifications: i % 2 === 0 ? [] : [{ type: "QueryUpdated", queryId: 2, value: 5, logLines: [], journal: null }, { type: "QueryRemoved", queryId: 4 }],
      clientClockSkew: -12.5,
      serverTs: 1.7e18,
    });
  }
});

it("a result's text is the canonical encoding, equal for equal results (what tells a client the result changed)", () => {
  // Subscriptions compare these texts to decide whether a re-run changed anything.
  const cases: [JSONValue, string | null][] = [[null, null], [0, "j"], ["", null], [[{ b: 1, a: [true] }], '{"endCursor":"x"}'], [{ $integer: "AQ==" }, null]];
  for (const [value, journal] of cases) {
    const { json } = encodeResult({ type: "QueryUpdated", value, logLines: [], journal });
    expect(json).toBe(JSON.stringify({ type: "QueryUpdated", value, journal }));
    expect(encodeResult({ type: "QueryUpdated", value, logLines: ["[LOG] 'other'"], journal }).json).toBe(json);
  }
  expect(encodeResult({ type: "QueryUpdated", value: { a: 1 }, logLines: [], journal: null }).json).not.toBe(
    encodeResult({ type: "QueryUpdated", value: { a: 2 }, logLines: [], journal: null }).json,
  );
});
