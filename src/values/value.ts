/**
 * A Syncline value: what functions take and return and what documents are made of.
 *
 * - `number` is a float64, `bigint` an int64, `ArrayBuffer` bytes.
 * - Objects are plain objects; a field whose value is `undefined` is the same as no field.
 */
export type Value =
  | null
  | bigint
  | number
  | boolean
  | string
  | ArrayBuffer
  | Value[]
  | { [key: string]: undefined | Value };

/** An object whose fields are values: function arguments and documents. */
export type ValueObject = { [key: string]: undefined | Value };

/** JSON as it travels on the wire (protocol.md §11.1). */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** True for objects made by `{}` or `Object.create(null)`; class instances are not values. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The name of a value's type, as errors show it ("Date", "Map", "undefined", "string"). */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof ArrayBuffer) return "bytes";
  if (typeof value === "object") {
    if (isPlainObject(value)) return "object";
    return (value as object).constructor?.name ?? "object";
  }
  if (typeof value === "bigint") return "int64";
  return typeof value;
}
