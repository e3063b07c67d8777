import { describe, expect, it } from "vitest";
import { QuerySet } from "../../../src/client/query-set.js";
import { successResult } from "../../../src/client/query-result.js";
import { encodeArgs, queryToken } from "../../../src/client/query-token.js";

function add(set: QuerySet, udfPath: string, args: Record<string, unknown>) {
  const encoded = encodeArgs(args);
  return set.acquire(udfPath, encoded, queryToken(udfPath, encoded));
}
const token = (udfPath: string, args: Record<string, unknown>) => queryToken(udfPath, encodeArgs(args));

describe("QuerySet", () => {
  it("dedupes by (name, encoded args) whatever the key order, with a reference count", () => {
    const set = new QuerySet();
    const first = add(set, "m:sum", { a: 1, b: 2n });
    const second = add(set, "m:sum", { b: 2n, a: 1 });
    expect(second).toBe(first);
    expect(first.refCount).toBe(2);
    expect(add(set, "m:sum", { a: 1, b: 2 }).id).not.toBe(first.id); // 2 (float) is not 2n (int64)
    expect(set.takeChanges()!.modifications).toHaveLength(2);
  });

  it("batches changes into one ModifyQuerySet with chained versions", () => {
    const set = new QuerySet();
    expect(set.takeChanges()).toBeNull();
    add(set, "q:a", {});
    add(set, "q:b", { x: 1 });
    expect(set.takeChanges()).toEqual({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "q:a", args: [{}] },
        { type: "Add", queryId: 1, udfPath: "q:b", args: [{ x: 1 }] },
      ],
    });
    set.release(token("q:a", {}));
    expect(set.takeChanges()).toEqual({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] });
    expect(set.version).toBe(2);
  });

  it("sends Remove only when the last subscriber leaves", () => {
    const set = new QuerySet();
    add(set, "q:a", {});
    add(set, "q:a", {});
    set.takeChanges();
    expect(set.release(token("q:a", {}))).toBe(true);
    expect(set.hasChanges).toBe(false);
    set.release(token("q:a", {}));
    expect(set.takeChanges()!.modifications).toEqual([{ type: "Remove", queryId: 0 }]);
    expect(set.release(token("q:a", {}))).toBe(false);
  });

  it("a query added and released in one batch never reaches the server, and is forgotten", () => {
    const set = new QuerySet();
    add(set, "q:a", {});
    set.release(token("q:a", {}));
    expect(set.takeChanges()).toBeNull();
    expect(set.get(token("q:a", {}))).toBeUndefined();
    expect(set.byId(0)).toBeUndefined();
  });

  it("a query released and re-acquired in one batch keeps its id (and its result) and costs no message", () => {
    const set = new QuerySet();
    const query = add(set, "q:a", {});
    set.takeChanges();
    query.serverResult = successResult(1);
    set.release(token("q:a", {}));
    expect(set.byId(0)).toBe(query); // still running on the server until the Remove goes out
    const again = add(set, "q:a", {});
    expect(again).toBe(query);
    expect(again.serverResult?.value).toBe(1);
    expect(set.takeChanges()).toBeNull();
  });

  it("forgets a query (and everything kept on its record) when its Remove is taken", () => {
    const set = new QuerySet();
    add(set, "q:a", {}).serverResult = successResult(1);
    set.takeChanges();
    set.release(token("q:a", {}));
    set.takeChanges();
    expect(set.byId(0)).toBeUndefined();
    expect(set.get(token("q:a", {}))).toBeUndefined();
    expect(add(set, "q:a", {}).id).toBe(1); // ids are never reused
  });

  it("restart re-adds every live query with its old id and last journal as version 0 -> 1", () => {
    const set = new QuerySet();
    add(set, "q:a", {});
    add(set, "q:b", { n: 1n });
    add(set, "q:c", {});
    set.takeChanges();
    set.noteResult(0, "journal-a");
    set.noteResult(1, null);
    set.release(token("q:c", {})); // pending Remove: superseded by the restart
    add(set, "q:d", {}); // pending Add: included
    expect(set.restart()).toEqual({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "q:a", args: [{}], journal: "journal-a" },
        { type: "Add", queryId: 1, udfPath: "q:b", args: [{ n: { $integer: "AQAAAAAAAAA=" } }] },
        { type: "Add", queryId: 3, udfPath: "q:d", args: [{}] },
      ],
    });
    expect(set.hasChanges).toBe(false);
    expect(set.byId(2)).toBeUndefined();
    expect(new QuerySet().restart()).toEqual({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
  });

  it("is caught up once every re-added query has a result again", () => {
    const set = new QuerySet();
    add(set, "q:a", {});
    add(set, "q:b", {});
    expect(set.caughtUp).toBe(true);
    set.restart();
    expect(set.caughtUp).toBe(false);
    set.noteResult(0, undefined);
    expect(set.caughtUp).toBe(false);
    set.release(token("q:b", {})); // nobody wants it any more
    expect(set.caughtUp).toBe(true);
  });
});
