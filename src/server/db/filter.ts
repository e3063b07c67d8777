// `.filter(q => ...)`: the expression builder and its evaluation against documents.
// Expressions are small trees of closures; each also carries a canonical text so a pagination
// cursor can tell whether it belongs to the same filtered query.

import { compareValues } from "../../values/compare.js";
import { encodeValue } from "../../values/encoding.js";
import type { Value } from "../../values/value.js";
import { valueAtPath } from "./catalog.js";
import type { Document } from "./validation.js";

type Result = Value | undefined;

/** A built expression. Anything that is not one is a literal value. */
export class FilterExpression {
  constructor(
    readonly evaluate: (document: Document) => Result,
    /** Canonical text of the expression (same text, same filter). */
    readonly text: string,
  ) {}
}

function literal(value: unknown): FilterExpression {
  if (value instanceof FilterExpression) return value;
  if (value === undefined) return new FilterExpression(() => undefined, "undefined");
  let text: string;
  try {
    text = JSON.stringify(encodeValue(value as Value, "filter value"));
  } catch (error) {
    throw new Error(`filter: ${(error as Error).message}`);
  }
  const constant = value as Value;
  return new FilterExpression(() => constant, text);
}

function describe(value: Result): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "bigint") return "int64";
  if (typeof value === "number") return "number";
  return Array.isArray(value) ? "array" : value instanceof ArrayBuffer ? "bytes" : typeof value;
}

function compare(name: string, test: (order: number) => boolean) {
  return (left: unknown, right: unknown): FilterExpression => {
    const a = literal(left);
    const b = literal(right);
    return new FilterExpression((doc) => test(compareValues(a.evaluate(doc), b.evaluate(doc))), `${name}(${a.text},${b.text})`);
  };
}

function arithmetic(name: string, onNumbers: (a: number, b: number) => number, onInts: (a: bigint, b: bigint) => bigint) {
  return (left: unknown, right: unknown): FilterExpression => {
    const a = literal(left);
    const b = literal(right);
    return new FilterExpression((doc) => {
      const x = a.evaluate(doc);
      const y = b.evaluate(doc);
      // A missing field makes the result missing (like SQL NULL) instead of failing the query.
      if (x === undefined || y === undefined) return undefined;
      if (typeof x === "number" && typeof y === "number") return onNumbers(x, y);
      if (typeof x === "bigint" && typeof y === "bigint") {
        if (y === 0n && (name === "div" || name === "mod")) throw new Error(`filter: ${name} of int64 by zero`);
        return BigInt.asIntN(64, onInts(x, y)); // int64 arithmetic wraps
      }
      throw new Error(`filter: ${name} needs two numbers or two int64s, got ${describe(x)} and ${describe(y)}`);
    }, `${name}(${a.text},${b.text})`);
  };
}

function logical(name: "and" | "or", expressions: unknown[]): FilterExpression {
  const parts = expressions.map(literal);
  const evaluate =
    name === "and"
      ? (doc: Document) => parts.every((part) => part.evaluate(doc) === true)
      : (doc: Document) => parts.some((part) => part.evaluate(doc) === true);
  return new FilterExpression(evaluate, `${name}(${parts.map((part) => part.text).join(",")})`);
}

/**
 * The builder `q` of `.filter(q => ...)`. Comparisons use the value order of `compareValues`;
 * `and`/`or`/`not` treat only `true` as true; arithmetic needs two numbers or two int64s (int64
 * wraps), and a missing operand gives a missing result.
 *
 * @example
 * query.filter((q) => q.and(q.eq(q.field("author.name"), "ada"), q.gt(q.field("likes"), 10)))
 */
export const filterBuilder = {
  field(path: string): FilterExpression {
    if (typeof path !== "string" || path === "") throw new Error("filter: field() takes a field path such as \"author.name\"");
    return new FilterExpression((doc) => valueAtPath(doc, path), `field(${JSON.stringify(path)})`);
  },
  eq: compare("eq", (order) => order === 0),
  neq: compare("neq", (order) => order !== 0),
  lt: compare("lt", (order) => order < 0),
  lte: compare("lte", (order) => order <= 0),
  gt: compare("gt", (order) => order > 0),
  gte: compare("gte", (order) => order >= 0),
  and: (...expressions: unknown[]) => logical("and", expressions),
  or: (...expressions: unknown[]) => logical("or", expressions),
  not(expression: unknown): FilterExpression {
    const inner = literal(expression);
    return new FilterExpression((doc) => inner.evaluate(doc) !== true, `not(${inner.text})`);
  },
  add: arithmetic("add", (a, b) => a + b, (a, b) => a + b),
  sub: arithmetic("sub", (a, b) => a - b, (a, b) => a - b),
  mul: arithmetic("mul", (a, b) => a * b, (a, b) => a * b),
  div: arithmetic("div", (a, b) => a / b, (a, b) => a / b),
  mod: arithmetic("mod", (a, b) => a % b, (a, b) => a % b),
  neg(value: unknown): FilterExpression {
    const inner = literal(value);
    return new FilterExpression((doc) => {
      const x = inner.evaluate(doc);
      if (x === undefined) return undefined;
      if (typeof x === "number") return -x;
      if (typeof x === "bigint") return BigInt.asIntN(64, -x);
      throw new Error(`filter: neg needs a number or an int64, got ${describe(x)}`);
    }, `neg(${inner.text})`);
  },
};

/**
 * Runs the user's predicate builder once and returns the compiled predicate.
 *
 * @example
 * const p = compileFilter((q) => q.eq(q.field("done"), false)); p.evaluate(doc) === true
 */
export function compileFilter(predicate: (q: typeof filterBuilder) => unknown): FilterExpression {
  if (typeof predicate !== "function") throw new Error("filter() takes a function: q => q.eq(q.field(\"x\"), 1)");
  return literal(predicate(filterBuilder));
}
