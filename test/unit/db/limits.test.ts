// Limits (protocol.md §11.2 and the transaction limits): clear errors, nothing written.

import { describe, expect, it } from "vitest";
import { TX_LIMITS } from "../../../src/server/db/index.js";
import { rejection, seed, testDb } from "./helpers.js";

describe("document limits", () => {
  it("refuses a document over 1 MiB, naming its size", async () => {
    const db = await testDb();
    const big = "x".repeat(600_000);
    const error = await rejection(db.write((tx) => tx.db.insert("files", { a: big, b: big })));
    expect(error.message).toMatch(/^Document files_\w+ in table "files" is too large: 12000\d\d bytes, over the limit of 1048576 bytes \(1 MiB\)\.$/);
    // Just under the limit is fine.
    await db.write((tx) => tx.db.insert("files", { a: "x".repeat(1_000_000) }));
  });

  it("refuses user fields starting with _ or $, and values that are not values", async () => {
    const db = await testDb();
    expect((await rejection(db.write((tx) => tx.db.insert("t", { _secret: 1 })))).message).toMatch(
      /A new document in table "t": field name "_secret" must not start with "_"/,
    );
    expect((await rejection(db.write((tx) => tx.db.insert("t", { $x: 1 })))).message).toMatch(/must not start with "\$"/);
    const [id] = await seed(db, "t", [{ a: 1 }]);
    expect((await rejection(db.write((tx) => tx.db.patch(id!, { _x: 1 } as never)))).message).toMatch(/"_x" must not start with "_"/);
    expect((await rejection(db.write((tx) => tx.db.insert("t", { when: new Date() } as never)))).message).toMatch(
      /^Document t_\w+ in table "t" is not a valid document: when: Date is not a supported value$/,
    );
    expect((await rejection(db.write((tx) => tx.db.insert("t", { deep: { list: [1, undefined] } } as never)))).message).toMatch(
      /deep\.list\[1\]: undefined is not a supported value/,
    );
    expect((await rejection(db.write((tx) => tx.db.insert("t", [1] as never)))).message).toMatch(/must be a plain object, got an array/);
    // Nested fields may start with "_" (only top-level fields are reserved).
    await db.write((tx) => tx.db.insert("t", { nested: { _ok: 1 } }));
  });

  it("refuses bad table names and system tables for user code", async () => {
    const db = await testDb();
    expect((await rejection(db.write((tx) => tx.db.insert("bad-name", { a: 1 })))).message).toMatch(/must match \[A-Za-z_\]/);
    expect((await rejection(db.write((tx) => tx.db.insert("_scheduled_functions", { a: 1 })))).message).toMatch(
      /Cannot write to table "_scheduled_functions": table name "_scheduled_functions" must not start with "_" \(reserved for system tables\)/,
    );
    expect((await rejection(db.write((tx) => tx.db.insert("x".repeat(65), { a: 1 })))).message).toMatch(/longer than the limit of 64/);
  });
});

describe("transaction limits", () => {
  it(`refuses the ${TX_LIMITS.maxDocumentsWritten + 1}th document written in one transaction, writing nothing`, async () => {
    const db = await testDb();
    const error = await rejection(
      db.write(async (tx) => {
        for (let i = 0; i <= TX_LIMITS.maxDocumentsWritten; i++) await tx.db.insert("t", { i });
      }),
    );
    expect(error.message).toBe("Too many documents written in one transaction: the limit is 16384. Split the work into several mutations.");
    expect((await db.read((tx) => tx.db.query("t").take(1))).result).toEqual([]);
    // Writing the same document again does not count twice.
    const [id] = await seed(db, "t", [{ i: 0 }]);
    await db.write(async (tx) => {
      for (let i = 0; i < TX_LIMITS.maxDocumentsWritten + 10; i++) await tx.db.patch(id!, { i });
    });
  }, 60_000);

  it(`refuses to read more than ${TX_LIMITS.maxDocumentsRead} documents in one transaction`, async () => {
    const db = await testDb();
    for (let start = 0; start < TX_LIMITS.maxDocumentsRead + 1; start += 10_000) {
      const count = Math.min(10_000, TX_LIMITS.maxDocumentsRead + 1 - start);
      await seed(db, "t", Array.from({ length: count }, (_, i) => ({ i: start + i })));
    }
    const error = await rejection(db.read((tx) => tx.db.query("t").collect()));
    expect(error.message).toMatch(/^Too many documents read in one transaction: the limit is 32000\./);
    // Filtered-out documents count too: they were read.
    await expect(db.read((tx) => tx.db.query("t").filter((q) => q.eq(q.field("i"), -1)).collect())).rejects.toThrow(/Too many documents read/);
    expect((await db.read((tx) => tx.db.query("t").take(TX_LIMITS.maxDocumentsRead))).result).toHaveLength(TX_LIMITS.maxDocumentsRead);
  }, 60_000);
});
