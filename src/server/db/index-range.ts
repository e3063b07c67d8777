// `withIndex(name, q => q.eq(...).gt(...).lt(...))`: checks the calls against the index's fields
// and turns them into a key range.
//
// Range rules: `eq` on a prefix of the key fields, in order; then at most one lower bound
// (`gt`/`gte`) and one upper bound (`lt`/`lte`), both on the field right after that prefix.

import type { Value } from "../../values/value.js";
import type { IndexInfo } from "./catalog.js";
import { concatKeys, encodeValueKey, prefixEnd } from "./keys.js";
import type { KeyRange } from "./scan.js";

type Bound = { op: "gt" | "gte" | "lt" | "lte"; field: string; value: Value | undefined };

/** The immutable builder handed to the user's range callback; each call returns a new one. */
export class IndexRangeBuilderImpl {
  constructor(
    private readonly index: IndexInfo,
    readonly equalities: readonly (Value | undefined)[] = [],
    readonly lower: Bound | undefined = undefined,
    readonly upper: Bound | undefined = undefined,
  ) {}

  eq(field: string, value: Value | undefined): IndexRangeBuilderImpl {
    if (this.lower !== undefined || this.upper !== undefined) {
      throw this.error(`eq("${field}") cannot follow a range bound (gt, gte, lt, lte)`);
    }
    this.expectField(field, "eq");
    return new IndexRangeBuilderImpl(this.index, [...this.equalities, checked(value, this, field)]);
  }

  gt(field: string, value: Value | undefined): IndexRangeBuilderImpl {
    return this.bound("gt", field, value);
  }
  gte(field: string, value: Value | undefined): IndexRangeBuilderImpl {
    return this.bound("gte", field, value);
  }
  lt(field: string, value: Value | undefined): IndexRangeBuilderImpl {
    return this.bound("lt", field, value);
  }
  lte(field: string, value: Value | undefined): IndexRangeBuilderImpl {
    return this.bound("lte", field, value);
  }

  private bound(op: Bound["op"], field: string, value: Value | undefined): IndexRangeBuilderImpl {
    const isLower = op === "gt" || op === "gte";
    if ((isLower ? this.lower : this.upper) !== undefined) {
      throw this.error(`${op}("${field}"): only one ${isLower ? "lower bound (gt or gte)" : "upper bound (lt or lte)"} is allowed`);
    }
    this.expectField(field, op);
    const bound: Bound = { op, field, value: checked(value, this, field) };
    return new IndexRangeBuilderImpl(this.index, this.equalities, isLower ? bound : this.lower, isLower ? this.upper : bound);
  }

  private expectField(field: string, op: string): void {
    const expected = this.index.keyFields[this.equalities.length];
    if (expected === undefined) throw this.error(`${op}("${field}"): every field of the index is already fixed by eq`);
    if (field !== expected) {
      throw this.error(`${op}("${field}") must be on field "${expected}" (the index's fields, in order: ${this.index.keyFields.join(", ")})`);
    }
  }

  error(problem: string): Error {
    return new Error(`Invalid range for index "${this.index.name}" of table "${this.index.table}": ${problem}.`);
  }

  /** The key range these calls select. */
  toRange(): KeyRange {
    const prefix = concatKeys(...this.equalities.map(encodeValueKey));
    const low =
      this.lower === undefined
        ? prefix
        : this.lower.op === "gte"
          ? concatKeys(prefix, encodeValueKey(this.lower.value))
          : prefixEnd(concatKeys(prefix, encodeValueKey(this.lower.value)));
    const high =
      this.upper === undefined
        ? prefixEnd(prefix)
        : this.upper.op === "lt"
          ? concatKeys(prefix, encodeValueKey(this.upper.value))
          : prefixEnd(concatKeys(prefix, encodeValueKey(this.upper.value)));
    return { low, high };
  }
}

function checked(value: Value | undefined, builder: IndexRangeBuilderImpl, field: string): Value | undefined {
  try {
    encodeValueKey(value);
  } catch (error) {
    throw builder.error(`the value for "${field}" is not a value (${(error as Error).message})`);
  }
  return value;
}

/**
 * Runs the user's range callback and returns the selected range of `index`.
 *
 * @example
 * rangeOf(byRoom, (q) => q.eq("room", "a").gt("_creationTime", t)) // { low, high }
 */
export function rangeOf(index: IndexInfo, callback: ((q: IndexRangeBuilderImpl) => unknown) | undefined): KeyRange {
  const start = new IndexRangeBuilderImpl(index);
  if (callback === undefined) return start.toRange();
  const result = callback(start);
  if (!(result instanceof IndexRangeBuilderImpl)) {
    throw start.error("the range callback must return the builder it was given (q => q.eq(...)...)");
  }
  return result.toRange();
}
