// The lossy "json" format of the HTTP API (protocol.md §11.3): what a curl user or a script
// without Syncline wants - int64 as a decimal string, bytes as plain base64, special floats as
// strings.

import { toBase64 } from "../../values/base64.js";
import type { JSONValue, Value } from "../../values/value.js";

/** Converts a value to clean JSON. */
export function toCleanJson(value: Value): JSONValue {
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      if (Number.isNaN(value)) return "NaN";
      if (value === Infinity) return "Infinity";
      if (value === -Infinity) return "-Infinity";
      return value;
    case "string":
    case "boolean":
      return value;
    default:
      if (value === null) return null;
      if (value instanceof ArrayBuffer) return toBase64(new Uint8Array(value));
      if (Array.isArray(value)) return value.map(toCleanJson);
      return cleanObject(value);
  }
}

function cleanObject(object: { [key: string]: Value | undefined }): { [key: string]: JSONValue } {
  const out: { [key: string]: JSONValue } = {};
  for (const key of Object.keys(object).sort()) {
    const field = object[key];
    // defineProperty: a field named `__proto__` is a field, not the object's prototype.
    if (field !== undefined) Object.defineProperty(out, key, { value: toCleanJson(field), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
