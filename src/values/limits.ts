// The value limits of protocol.md §11.2. One place, so the client, the database and the HTTP
// layer enforce the same numbers and name them the same way in errors.

export const LIMITS = {
  /** Longest field name, in characters. */
  maxFieldNameLength: 1024,
  /** Most elements in one array. */
  maxArrayLength: 8192,
  /** Most fields in one object. */
  maxObjectFields: 1024,
  /** Deepest nesting of arrays and objects. */
  maxNesting: 64,
  /** Strings and bytes must be smaller than this many bytes (UTF-8 for strings). */
  maxStringBytes: 1 << 20,
  /** Largest document, in bytes of its encoded JSON. */
  maxDocumentBytes: 1 << 20,
  /** Largest function argument object, in bytes of its encoded JSON. */
  maxArgumentBytes: 16 << 20,
  /** Longest table name. */
  maxTableNameLength: 64,
} as const;

/** UTF-8 byte length of a string, without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether encoded arguments (JSON text) are over the argument limit, counted in UTF-8 bytes. */
export function argumentsTooLarge(json: string): boolean {
  if (json.length > LIMITS.maxArgumentBytes) return true;
  return json.length * 3 > LIMITS.maxArgumentBytes && utf8Length(json) > LIMITS.maxArgumentBytes;
}

/** Cheap test first: only strings that could be over the limit pay for a UTF-8 count. */
export function stringTooLong(text: string): boolean {
  if (text.length * 3 < LIMITS.maxStringBytes) return false;
  return utf8Length(text) >= LIMITS.maxStringBytes;
}

/**
 * Returns why `name` cannot be a field name, or undefined when it can.
 * `documentField` adds the rule that user document fields may not start with `_`.
 */
export function fieldNameProblem(name: string, documentField = false): string | undefined {
  if (name.length === 0) return "field names must not be empty";
  if (name.length > LIMITS.maxFieldNameLength) {
    return `field name is longer than the limit of ${LIMITS.maxFieldNameLength} characters`;
  }
  if (name.charCodeAt(0) === 36 /* $ */) return `field name ${JSON.stringify(name)} must not start with "$"`;
  if (documentField && name.charCodeAt(0) === 95 /* _ */ && name !== "_id" && name !== "_creationTime") {
    return `field name ${JSON.stringify(name)} must not start with "_" (reserved for system fields)`;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return `field name ${JSON.stringify(name)} must be printable ASCII`;
  }
  return undefined;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Returns why `name` cannot be a table name, or undefined when it can. */
export function tableNameProblem(name: string, systemAllowed = false): string | undefined {
  if (!TABLE_NAME.test(name)) return `table name ${JSON.stringify(name)} must match [A-Za-z_][A-Za-z0-9_]*`;
  if (name.length > LIMITS.maxTableNameLength) {
    return `table name ${JSON.stringify(name)} is longer than the limit of ${LIMITS.maxTableNameLength} characters`;
  }
  if (!systemAllowed && name.startsWith("_")) {
    return `table name ${JSON.stringify(name)} must not start with "_" (reserved for system tables)`;
  }
  return undefined;
}
