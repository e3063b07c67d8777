// Checking values against validators. Every problem is reported with its path, not just the
// first, so a developer fixes a bad call in one go.

import { isIdOf } from "./id.js";
import { formatPath, type PathSegment } from "./path.js";
import { describeType, isPlainObject } from "./value.js";
import type { GenericValidator, ValidatorShape } from "./validators.js";

/** One thing wrong with a value: where (`args.items[2].due`) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * Checks `value` against `validator` and returns every problem (empty when valid).
 * Object validators refuse unknown fields.
 *
 * @example
 * validate(v.object({ room: v.string() }), { room: 1, x: 2 }, "args")
 * // [{ path: "args.room", message: "expected string, got number" },
 * //  { path: "args.x", message: "unexpected field \"x\"" }]
 */
export function validate(validator: GenericValidator, value: unknown, root = "value"): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  check(validator.shape, value, [], (segments, message) => issues.push({ path: formatPath(root, segments), message }));
  return issues;
}

/** True when `value` passes `validator`. */
export function matches(validator: GenericValidator, value: unknown): boolean {
  let ok = true;
  check(validator.shape, value, [], () => {
    ok = false;
  });
  return ok;
}

type Report = (segments: PathSegment[], message: string) => void;

function check(shape: ValidatorShape, value: unknown, path: PathSegment[], report: Report): void {
  const expected = (what: string) => report(path, `expected ${what}, got ${describeValue(value)}`);
  switch (shape.kind) {
    case "any":
      if (value === undefined) expected("a value");
      return;
    case "null":
      if (value !== null) expected("null");
      return;
    case "number":
      if (typeof value !== "number") expected("number");
      return;
    case "int64":
      if (typeof value !== "bigint") expected("int64 (bigint)");
      return;
    case "boolean":
      if (typeof value !== "boolean") expected("boolean");
      return;
    case "string":
      if (typeof value !== "string") expected("string");
      return;
    case "bytes":
      if (!(value instanceof ArrayBuffer)) expected("bytes (ArrayBuffer)");
      return;
    case "id":
      if (!isIdOf(value, shape.tableName)) expected(`an id of table "${shape.tableName}"`);
      return;
    case "literal":
      // Object.is: NaN is a literal like any other, and -0 is not 0 (they are different values).
      if (!Object.is(value, shape.value)) expected(describeLiteral(shape.value));
      return;
    case "array":
      if (!Array.isArray(value)) return expected("array");
      value.forEach((element, i) => check(shape.element.shape, element, [...path, i], report));
      return;
    case "object":
      return checkObject(shape.fields, value, path, report);
    case "record":
      if (!isPlainObject(value)) return expected("object");
      for (const [key, field] of Object.entries(value)) {
        if (field === undefined) continue;
        const keyPath = [...path, key];
        if (!passes(shape.keys.shape, key)) report(keyPath, `key ${JSON.stringify(key)} does not match the record's key validator`);
        check(shape.values.shape, field, keyPath, report);
      }
      return;
    case "union":
      if (!shape.members.some((member) => passes(member.shape, value))) {
        expected(shape.members.map((member) => describeShape(member.shape)).join(" | "));
      }
      return;
  }
}

function checkObject(fields: Record<string, GenericValidator>, value: unknown, path: PathSegment[], report: Report) {
  if (!isPlainObject(value)) return report(path, `expected object, got ${describeValue(value)}`);
  for (const [name, field] of Object.entries(fields)) {
    const fieldValue = Object.hasOwn(value, name) ? value[name] : undefined; // not `constructor` from the prototype
    if (fieldValue === undefined) {
      if (field.isOptional !== "optional") report([...path, name], "missing required field");
      continue;
    }
    check(field.shape, fieldValue, [...path, name], report);
  }
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(fields, name) && value[name] !== undefined) report([...path, name], `unexpected field ${JSON.stringify(name)}`);
  }
}

function passes(shape: ValidatorShape, value: unknown): boolean {
  let ok = true;
  check(shape, value, [], () => {
    ok = false;
  });
  return ok;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  return describeType(value);
}

function describeLiteral(value: string | number | boolean | bigint): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value); // NaN, Infinity: not JSON
  return JSON.stringify(value);
}

function describeShape(shape: ValidatorShape): string {
  switch (shape.kind) {
    case "literal":
      return describeLiteral(shape.value);
    case "id":
      return `id("${shape.tableName}")`;
    case "array":
      return `${describeShape(shape.element.shape)}[]`;
    default:
      return shape.kind;
  }
}
