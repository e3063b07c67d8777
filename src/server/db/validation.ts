// Checks every write must pass: table names and schema membership, field names, value limits,
// document size and the table's validator. Errors name the table, the document and the field.

import type { IndexDefinition } from "../define/schema.js";
import { encodeValue } from "../../values/encoding.js";
import { fieldNameProblem, LIMITS, tableNameProblem } from "../../values/limits.js";
import { validateWithout, type ValidationIssue } from "../../values/validate.js";
import type { GenericValidator } from "../../values/validators.js";
import { isPlainObject, type JSONValue, type Value } from "../../values/value.js";
import { documentSize } from "./document-size.js";

/** What the database needs of a table definition (a `TableDefinition` from any copy of Syncline). */
export interface TableShape {
  readonly validator: GenericValidator;
  readonly indexes: readonly IndexDefinition[];
}

/** The installed schema (user tables) and the built-in system tables. */
export interface SchemaState {
  /** Undefined when no schema is installed: any user table may be written, nothing is validated. */
  readonly user: { readonly tables: ReadonlyMap<string, TableShape>; readonly validate: boolean } | undefined;
  readonly system: ReadonlyMap<string, TableShape>;
}

export type Document = Record<string, Value | undefined>;

/**
 * Throws unless `table` may be written by this writer.
 *
 * @example
 * checkWritableTable(schema, "_scheduled_functions", false) // throws: reserved for system tables
 */
export function checkWritableTable(schema: SchemaState, table: string, systemAllowed: boolean): void {
  const problem = tableNameProblem(table, systemAllowed);
  if (problem !== undefined) throw new Error(`Cannot write to table "${table}": ${problem}.`);
  if (table.startsWith("_")) {
    if (!schema.system.has(table)) throw new Error(`Cannot write to table "${table}": there is no such system table.`);
  } else if (schema.user !== undefined && !schema.user.tables.has(table)) {
    throw new Error(`Table "${table}" is not in the schema: add it to schema.ts before writing to it.`);
  }
}

/**
 * Throws unless `fields` is a plain object whose field names may be written by user code
 * (`_id` and `_creationTime` are checked by the caller).
 */
export function checkFieldNames(table: string, fields: unknown, what: string): asserts fields is Record<string, Value | undefined> {
  if (!isPlainObject(fields)) throw new Error(`${what} in table "${table}" must be a plain object, got ${describe(fields)}.`);
  for (const name of Object.keys(fields)) {
    const problem = fieldNameProblem(name, true);
    if (problem !== undefined) throw new Error(`${what} in table "${table}": ${problem}.`);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value;
}

function validatorFor(schema: SchemaState, table: string): GenericValidator | undefined {
  if (table.startsWith("_")) return schema.system.get(table)?.validator;
  if (schema.user === undefined || !schema.user.validate) return undefined;
  return schema.user.tables.get(table)?.validator;
}

/** Formats validation issues as `body: expected string, got number; tags[2]: ...`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path === "" ? "(document)" : issue.path}: ${issue.message}`).join("; ");
}

/** The schema problems of `document` in `table`, empty when it passes (or nothing is validated). */
export function schemaIssues(schema: SchemaState, table: string, document: Document): ValidationIssue[] {
  const validator = validatorFor(schema, table);
  return validator === undefined ? [] : validateWithout(validator, document, SYSTEM_FIELDS, "");
}

/** What table validators leave out: the database sets these. */
const SYSTEM_FIELDS: ReadonlySet<string> = new Set(["_id", "_creationTime"]);

/**
 * Validates a complete document (system fields included) and returns its stored JSON.
 *
 * @example
 * const json = prepareDocument(schema, "messages", { _id, _creationTime, body: "hi" });
 */
export function prepareDocument(schema: SchemaState, table: string, document: Document): string {
  const id = String(document._id);
  // Limits first (what is not a storable document at all), then the table's validator.
  let encoded: JSONValue;
  try {
    encoded = encodeValue(document as Value, "");
  } catch (error) {
    throw new Error(`Document ${id} in table "${table}" is not a valid document: ${(error as Error).message}`);
  }
  const json = JSON.stringify(encoded);
  // The text's length bounds the size from above: only a long text needs measuring.
  const size = json.length * 3 <= LIMITS.maxDocumentBytes ? json.length : documentSize(encoded);
  if (size > LIMITS.maxDocumentBytes) {
    throw new Error(
      `Document ${id} in table "${table}" is too large: ${size} bytes, over the limit of ${LIMITS.maxDocumentBytes} bytes (1 MiB).`,
    );
  }
  const issues = schemaIssues(schema, table, document);
  if (issues.length > 0) {
    throw new Error(`Document ${id} in table "${table}" does not match the schema: ${formatIssues(issues)}`);
  }
  return json;
}
