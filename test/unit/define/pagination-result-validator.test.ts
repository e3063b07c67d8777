// paginationResultValidator(item): accepts what paginate() returns - with or without the split
// fields - and refuses a page whose items or cursors are wrong.

import { describe, expect, it } from "vitest";
import { paginationResultValidator } from "../../../src/server/define/pagination.js";
import { matches, validate } from "../../../src/values/validate.js";
import { v, type Infer } from "../../../src/values/index.js";

const result = paginationResultValidator(v.object({ body: v.string() }));

describe("paginationResultValidator", () => {
  it("accepts pages with and without split fields", () => {
    expect(matches(result, { page: [{ body: "a" }], isDone: false, continueCursor: "c" })).toBe(true);
    expect(matches(result, { page: [], isDone: true, continueCursor: "c", splitCursor: null, pageStatus: null })).toBe(true);
    expect(matches(result, { page: [], isDone: false, continueCursor: "c", splitCursor: "s", pageStatus: "SplitRecommended" })).toBe(true);
    const typed: Infer<typeof result> = { page: [{ body: "x" }], isDone: true, continueCursor: "c" };
    expect(typed.page[0]!.body).toBe("x");
  });

  it("refuses a wrong item, a missing cursor and an unknown page status", () => {
    expect(validate(result, { page: [{ body: 1 }], isDone: false, continueCursor: "c" }).length).toBeGreaterThan(0);
    expect(matches(result, { page: [], isDone: false })).toBe(false);
    expect(matches(result, { page: [], isDone: false, continueCursor: "c", pageStatus: "Split" })).toBe(false);
  });
});
