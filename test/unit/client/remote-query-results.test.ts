import { describe, expect, it } from "vitest";
import { ProtocolViolation } from "../../../src/client/errors.js";
import { RemoteQueryResults, type ResultSlot } from "../../../src/client/remote-query-results.js";
import type { StateModification, Transition } from "../../../src/protocol/messages.js";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { isAppError } from "../../../src/values/app-error.js";

/** Queries 0 (q:a) and 1 (q:b) are held; their results live in these slots. */
function fresh() {
  const slots = new Map<number, ResultSlot>([
    [0, { udfPath: "q:a", serverResult: undefined }],
    [1, { udfPath: "q:b", serverResult: undefined }],
  ]);
  return new RemoteQueryResults((id) => slots.get(id));
}

function transition(start: [number, number, bigint], end: [number, number, bigint], modifications: StateModification[]): Transition {
  return {
    type: "Transition",
    startVersion: { querySet: start[0], identity: start[1], ts: encodeTimestamp(start[2]) },
    endVersion: { querySet: end[0], identity: end[1], ts: encodeTimestamp(end[2]) },
    modifications,
  };
}
/** The queries a transition changed, by name. */
const names = (slots: ResultSlot[]) => slots.map((slot) => slot.udfPath);
const updated = (queryId: number, value: unknown): StateModification => ({ type: "QueryUpdated", queryId, value: value as never, logLines: [], journal: null });

describe("RemoteQueryResults", () => {
  it("applies chained transitions and reports which queries changed", () => {
    const remote = fresh();
    expect(names(remote.apply(transition([0, 0, 0n], [1, 0, 10n], [updated(0, [1]), updated(1, { n: { $integer: "AQAAAAAAAAA=" } })])))).toEqual(["q:a", "q:b"]);
    expect(remote.get(1)).toEqual({ status: "success", value: { n: 1n }, error: undefined });
    expect(remote.version).toEqual({ querySet: 1, identity: 0, ts: encodeTimestamp(10n) });
    expect(remote.ts).toBe(10n);
    expect(names(remote.apply(transition([1, 0, 10n], [1, 0, 11n], [])))).toEqual([]);
    expect(remote.ts).toBe(11n);
  });

  it("keeps the result object when the server re-sends an equal value", () => {
    const remote = fresh();
    remote.apply(transition([0, 0, 0n], [1, 0, 1n], [updated(0, { list: [1, 2], n: { $integer: "AQAAAAAAAAA=" } })]));
    const before = remote.get(0);
    expect(names(remote.apply(transition([1, 0, 1n], [1, 0, 2n], [updated(0, { list: [1, 2], n: { $integer: "AQAAAAAAAAA=" } })])))).toEqual([]);
    expect(remote.get(0)).toBe(before);
    expect(names(remote.apply(transition([1, 0, 2n], [1, 0, 3n], [updated(0, { list: [1, 2, 3], n: { $integer: "AQAAAAAAAAA=" } })])))).toEqual(["q:a"]);
    expect(remote.get(0)).not.toBe(before);
  });

  it("refuses a transition that does not start at the current version, and changes nothing", () => {
    const remote = fresh();
    remote.apply(transition([0, 0, 0n], [1, 0, 5n], [updated(0, "first")]));
    for (const bad of [
      transition([0, 0, 0n], [1, 0, 6n], [updated(0, "x")]),
      transition([1, 1, 5n], [1, 1, 6n], [updated(0, "x")]),
      transition([1, 0, 4n], [1, 0, 6n], [updated(0, "x")]),
    ]) {
      expect(() => remote.apply(bad)).toThrow(ProtocolViolation);
    }
    expect(remote.get(0)?.value).toBe("first");
    expect(remote.ts).toBe(5n);
  });

  it("refuses a transition with a value that does not decode, or going back in time, without applying any of it", () => {
    const remote = fresh();
    expect(() => remote.apply(transition([0, 0, 0n], [1, 0, 1n], [updated(0, "ok"), updated(1, { $weird: 1 })]))).toThrow(ProtocolViolation);
    expect(remote.get(0)).toBeUndefined();
    expect(remote.version.querySet).toBe(0);
    remote.apply(transition([0, 0, 0n], [1, 0, 9n], []));
    expect(() => remote.apply(transition([1, 0, 9n], [1, 0, 8n], []))).toThrow(/back in time/);
  });

  it("turns failures into errors naming the query, with AppError data, and keeps equal failures", () => {
    const remote = fresh();
    const failed: StateModification = { type: "QueryFailed", queryId: 0, errorMessage: "nope", errorData: { code: 1 }, logLines: [], journal: null };
    remote.apply(transition([0, 0, 0n], [1, 0, 1n], [failed]));
    const result = remote.get(0)!;
    expect(result.status).toBe("error");
    expect(result.error?.message).toBe("[Q(q:a)] nope");
    expect(isAppError(result.error) && result.error.data).toEqual({ code: 1 });
    expect(names(remote.apply(transition([1, 0, 1n], [1, 0, 2n], [failed])))).toEqual([]);
    expect(names(remote.apply(transition([1, 0, 2n], [1, 0, 3n], [{ ...failed, errorData: { code: 2 } }])))).toEqual(["q:a"]);
  });

  it("ignores results for queries it does not hold and forgets removed ones", () => {
    const remote = fresh();
    expect(names(remote.apply(transition([0, 0, 0n], [1, 0, 1n], [updated(7, "stranger"), updated(0, "mine")])))).toEqual(["q:a"]);
    expect(remote.get(7)).toBeUndefined();
    remote.apply(transition([1, 0, 1n], [2, 0, 2n], [{ type: "QueryRemoved", queryId: 0 }]));
    expect(remote.get(0)).toBeUndefined();
  });

  it("restarts versions on a new socket but keeps results until they are replaced", () => {
    const remote = fresh();
    remote.apply(transition([0, 0, 0n], [1, 0, 7n], [updated(0, "kept")]));
    const kept = remote.get(0);
    remote.restart();
    expect(remote.version).toEqual({ querySet: 0, identity: 0, ts: encodeTimestamp(0n) });
    expect(remote.ts).toBe(0n);
    expect(remote.get(0)).toBe(kept);
    expect(names(remote.apply(transition([0, 0, 0n], [1, 0, 9n], [updated(0, "kept")])))).toEqual([]);
    expect(remote.get(0)).toBe(kept);
  });
});
