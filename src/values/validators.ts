// `v`: validators that check values at run time and give their TypeScript type with `Infer`.
// Validators are plain data (a `shape` and `isOptional`), so a validator made by another copy of
// Syncline (the user's bundle) is checked exactly like one made here.

import type { Id } from "./id.js";
import { encodeValue } from "./encoding.js";
import type { JSONValue, Value } from "./value.js";

/** Whether an object field may be missing. */
export type Optionality = "required" | "optional";

/** The serializable description of a validator, for tools (codegen, dashboards, docs). */
export type ValidatorJSON =
  | { type: "id"; tableName: string }
  | { type: "null" | "number" | "int64" | "boolean" | "string" | "bytes" | "any" }
  | { type: "literal"; value: JSONValue }
  | { type: "array"; element: ValidatorJSON }
  | { type: "object"; fields: Record<string, { type: ValidatorJSON; optional: boolean }> }
  | { type: "record"; keys: ValidatorJSON; values: ValidatorJSON }
  | { type: "union"; members: ValidatorJSON[] };

/** What a validator checks. */
export type ValidatorShape =
  | { kind: "id"; tableName: string }
  | { kind: "null" | "number" | "int64" | "boolean" | "string" | "bytes" | "any" }
  | { kind: "literal"; value: string | number | boolean | bigint }
  | { kind: "array"; element: GenericValidator }
  | { kind: "object"; fields: PropertyValidators }
  | { kind: "record"; keys: GenericValidator; values: GenericValidator }
  | { kind: "union"; members: readonly GenericValidator[] };

/**
 * A validator for values of type `T`. `type` exists only for TypeScript (read it with `Infer`).
 */
export class Validator<T, O extends Optionality = "required", S extends ValidatorShape = ValidatorShape> {
  /** Phantom: the TypeScript type this validator accepts. Undefined at run time. */
  declare readonly type: T;
  readonly shape: S;
  readonly isOptional: O;

  constructor(shape: S, isOptional: O) {
    this.shape = shape;
    this.isOptional = isOptional;
  }

  /** A JSON description of this validator. */
  get json(): ValidatorJSON {
    return toJSON(this.shape);
  }

  /**
   * This validator as an object field that may be missing, the same as `v.optional(this)`.
   *
   * @example
   * const args = { room: v.string(), limit: v.number().optional() }; // { room: string; limit?: number }
   */
  optional(): Validator<T | undefined, "optional", S> {
    return new Validator<T | undefined, "optional", S>(this.shape, "optional");
  }
}

/** Any validator. */
export type GenericValidator = Validator<unknown, Optionality, ValidatorShape>;
/** A validator that is not `v.optional(...)`: what arrays, unions and records hold (only object fields may be missing). */
type RequiredValidator = Validator<unknown, "required", ValidatorShape>;

/** An object of field validators, as `args` and `v.object` take. */
export type PropertyValidators = Record<string, GenericValidator>;

/** The TypeScript type a validator accepts. */
export type Infer<V extends GenericValidator> = V["type"];

type Expand<T> = T extends object ? { [K in keyof T]: T[K] } : T;
type OptionalKeys<F extends PropertyValidators> = {
  [K in keyof F]: F[K]["isOptional"] extends "optional" ? K : never;
}[keyof F];
type RequiredKeys<F extends PropertyValidators> = Exclude<keyof F, OptionalKeys<F>>;

/** The object type described by field validators: optional validators become `?:` fields. */
export type ObjectType<F extends PropertyValidators> = Expand<
  { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

type Required<T, S extends ValidatorShape> = Validator<T, "required", S>;

/**
 * A record's type. Keys of a finite set (string literals) may each be missing, as at run time;
 * `Record<"a" | "b", V>` would demand both. String and id keys stay an index signature.
 */
type RecordType<K extends string, V> = {} extends Record<K, 1> ? Record<K, V> : Partial<Record<K, V>>;
type LiteralValue = string | number | boolean | bigint;

function make<T, S extends ValidatorShape>(shape: S): Required<T, S> {
  return new Validator<T, "required", S>(shape, "required");
}

/**
 * The validator builders.
 *
 * @example
 * const args = { room: v.string(), limit: v.optional(v.number()) };
 * type Args = ObjectType<typeof args>; // { room: string; limit?: number }
 */
export const v = {
  /** A document id of `tableName`. */
  id: <TableName extends string>(tableName: TableName) =>
    make<Id<TableName>, { kind: "id"; tableName: TableName }>({ kind: "id", tableName }),
  null: () => make<null, { kind: "null" }>({ kind: "null" }),
  /** A float64 (any JS number). */
  number: () => make<number, { kind: "number" }>({ kind: "number" }),
  /** Alias of `v.number()`. */
  float64: () => make<number, { kind: "number" }>({ kind: "number" }),
  /** A 64-bit integer (a JS bigint). */
  int64: () => make<bigint, { kind: "int64" }>({ kind: "int64" }),
  boolean: () => make<boolean, { kind: "boolean" }>({ kind: "boolean" }),
  string: () => make<string, { kind: "string" }>({ kind: "string" }),
  /** Bytes (an ArrayBuffer). */
  bytes: () => make<ArrayBuffer, { kind: "bytes" }>({ kind: "bytes" }),
  /** Exactly `value`. */
  literal: <L extends LiteralValue>(value: L) => make<L, { kind: "literal"; value: L }>({ kind: "literal", value }),
  array: <E extends RequiredValidator>(element: E) =>
    make<Infer<E>[], { kind: "array"; element: E }>({ kind: "array", element }),
  /** A plain object with exactly these fields (unknown fields are errors). */
  object: <F extends PropertyValidators>(fields: F) =>
    make<ObjectType<F>, { kind: "object"; fields: F }>({ kind: "object", fields }),
  /** An object used as a map; keys are strings (or ids, or string literals). */
  record: <K extends Validator<string, "required", ValidatorShape>, Val extends RequiredValidator>(keys: K, values: Val) =>
    make<RecordType<Infer<K>, Infer<Val>>, { kind: "record"; keys: K; values: Val }>({ kind: "record", keys, values }),
  /** Any of the members. */
  union: <M extends RequiredValidator[]>(...members: M) =>
    make<Infer<M[number]>, { kind: "union"; members: M }>({ kind: "union", members }),
  /** Any value. */
  any: () => make<Value, { kind: "any" }>({ kind: "any" }),
  /** An object field that may be missing. */
  optional: <T, S extends ValidatorShape>(inner: Validator<T, Optionality, S>) =>
    new Validator<T | undefined, "optional", S>(inner.shape, "optional"),
  /** `inner` or null. */
  nullable: <T, S extends ValidatorShape>(inner: Validator<T, "required", S>) =>
    make<T | null, { kind: "union"; members: [Validator<T, "required", S>, Required<null, { kind: "null" }>] }>({
      kind: "union",
      members: [new Validator<T, "required", S>(inner.shape, "required"), v.null()],
    }),
};

/** True for anything that looks like a validator (from any copy of Syncline). */
export function isValidator(value: unknown): value is GenericValidator {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { shape?: { kind?: unknown }; isOptional?: unknown };
  return typeof candidate.shape?.kind === "string" && (candidate.isOptional === "required" || candidate.isOptional === "optional");
}

/** `args: { a: v.string() }` and `args: v.object({ a: v.string() })` mean the same; this gives the object validator. */
export function asObjectValidator(args: PropertyValidators | GenericValidator): GenericValidator {
  return isValidator(args) ? args : v.object(args);
}

function toJSON(shape: ValidatorShape): ValidatorJSON {
  switch (shape.kind) {
    case "id":
      return { type: "id", tableName: shape.tableName };
    case "literal":
      return { type: "literal", value: encodeValue(shape.value) };
    case "array":
      return { type: "array", element: toJSON(shape.element.shape) };
    case "object": {
      const fields: Record<string, { type: ValidatorJSON; optional: boolean }> = {};
      for (const key of Object.keys(shape.fields).sort()) {
        const field = shape.fields[key]!;
        fields[key] = { type: toJSON(field.shape), optional: field.isOptional === "optional" };
      }
      return { type: "object", fields };
    }
    case "record":
      return { type: "record", keys: toJSON(shape.keys.shape), values: toJSON(shape.values.shape) };
    case "union":
      return { type: "union", members: shape.members.map((member) => toJSON(member.shape)) };
    default:
      return { type: shape.kind };
  }
}
