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
  // Nearly every value passes: the check that allocates nothing decides those, and only a value
  // it refuses is walked again to say where and why.
  if (conforms(validator.shape, value, undefined)) return [];
  const issues: ValidationIssue[] = [];
  check(validator.shape, value, [], (segments, message) => issues.push({ path: formatPath(root, segments), message }));
  return issues;
}

/**
 * `validate` of an object with some of its own fields left out, as if it did not have them - a
 * stored document checked against its table's validator, which does not describe `_id` and
 * `_creationTime` - without copying it first (on the path of every write).
 *
 * @example
 * validateWithout(tableValidator, { _id, _creationTime, body: "hi" }, new Set(["_id", "_creationTime"]), "")
 */
export function validateWithout(validator: GenericValidator, value: Record<string, unknown>, omitted: ReadonlySet<string>, root = "value"): ValidationIssue[] {
  if (conforms(validator.shape, value, omitted)) return [];
  // A copy by spreading: it defines every field as its own, a field named `__proto__` included.
  const rest: Record<string, unknown> = { ...value };
  for (const name of omitted) delete rest[name];
  return validate(validator, rest, root);
}

/** True when `value` passes `validator`. */
export function matches(validator: GenericValidator, value: unknown): boolean {
  return conforms(validator.shape, value, undefined) || passes(validator.shape, value);
}

/** `Object.entries` of each object validator's fields, taken once per validator (they never change). */
const fieldLists = new WeakMap<object, readonly (readonly [string, GenericValidator])[]>();

function fieldsOf(fields: Record<string, GenericValidator>): readonly (readonly [string, GenericValidator])[] {
  let list = fieldLists.get(fields);
  if (list === undefined) {
    list = Object.entries(fields);
    fieldLists.set(fields, list);
  }
  return list;
}

/**
 * True when `check` would report nothing, decided without paths, closures or arrays. `omitted`
 * names fields of a top-level object (or of a top-level union's objects) to treat as absent.
 * It may refuse what `check` accepts (a sparse array's holes) - `validate` then asks `check` - but
 * never accepts what `check` refuses.
 */
function conforms(shape: ValidatorShape, value: unknown, omitted: ReadonlySet<string> | undefined): boolean {
  switch (shape.kind) {
    case "any":
      return value !== undefined;
    case "null":
      return value === null;
    case "number":
      return typeof value === "number";
    case "int64":
      return typeof value === "bigint";
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "bytes":
      return value instanceof ArrayBuffer;
    case "id":
      return isIdOf(value, shape.tableName);
    case "literal":
      return Object.is(value, shape.value);
    case "array": {
      if (!Array.isArray(value)) return false;
      const element = shape.element.shape;
      for (let i = 0; i < value.length; i++) if (!conforms(element, value[i], undefined)) return false;
      return true;
    }
    case "object":
      return objectConforms(shape.fields, value, omitted);
    case "record": {
      if (!isPlainObject(value)) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const field = value[key];
        if (field === undefined) continue;
        if (!conforms(shape.keys.shape, key, undefined) || !conforms(shape.values.shape, field, undefined)) return false;
      }
      return true;
    }
    case "union":
      for (const member of shape.members) if (conforms(member.shape, value, omitted)) return true;
      return false;
    default:
      return false;
  }
}

function objectConforms(fields: Record<string, GenericValidator>, value: unknown, omitted: ReadonlySet<string> | undefined): boolean {
  if (!isPlainObject(value)) return false;
  for (const [name, field] of fieldsOf(fields)) {
    const fieldValue = Object.hasOwn(value, name) && omitted?.has(name) !== true ? value[name] : undefined;
    if (fieldValue === undefined) {
      if (field.isOptional !== "optional") return false;
    } else if (!conforms(field.shape, fieldValue, undefined)) return false;
  }
  for (const name in value) {
    if (!Object.hasOwn(value, name) || Object.hasOwn(fields, name) || omitted?.has(name) === true) continue;
    if (value[name] !== undefined) return false;
  }
  return true;
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
