// Stored JSON back to a document. On its own so that readers of stored rows (scans, the vector
// cache, search) need not import documents.ts, whose writes notify those same readers.

import { decodeValue } from "../../values/encoding.js";
import type { JSONValue } from "../../values/value.js";
import type { Document } from "./validation.js";

/**
 * Turns stored JSON back into a document (a fresh object each time, so callers may mutate it).
 *
 * @example
 * decodeDocument('{"_id":"t_...","n":{"$integer":"AQAAAAAAAAA="}}') // { _id: "t_...", n: 1n }
 */
export function decodeDocument(json: string): Document {
  return decodeValue(JSON.parse(json) as JSONValue, "document") as Document;
}
