// Schema installs of search and vector indexes: their definitions are checked against the
// table's validator at push time (a search field that is not a string, a vector field that is
// not an array of numbers),
// and turned into catalog index definitions (special-indexes.ts) that install like any index.

import type { IndexDefinition, SearchIndexDefinition, VectorIndexDefinition } from "../define/schema.js";
import type { ValidatorShape } from "../../values/validators.js";
import { specialIndexFields } from "./special-indexes.js";
import type { TableShape } from "./validation.js";

/** A table's shape as an install sees it: search and vector indexes are optional (system tables have none). */
export type ShapeWithSpecialIndexes = TableShape & {
  readonly searchIndexes?: readonly SearchIndexDefinition[];
  readonly vectorIndexes?: readonly VectorIndexDefinition[];
};

/**
 * Every index of a table shape as catalog definitions: plain ones, then search, then vector.
 *
 * @example
 * indexDefinitionsOf(shape) // [{ name: "by_room", fields: ["room"] }, { name: "search_body", fields: ["$search", "body"] }]
 */
export function indexDefinitionsOf(shape: ShapeWithSpecialIndexes): IndexDefinition[] {
  const out: IndexDefinition[] = [...shape.indexes];
  for (const index of shape.searchIndexes ?? []) {
    out.push({ name: index.name, fields: specialIndexFields({ kind: "search", searchField: index.searchField, filterFields: index.filterFields }) });
  }
  for (const index of shape.vectorIndexes ?? []) {
    out.push({
      name: index.name,
      fields: specialIndexFields({ kind: "vector", vectorField: index.vectorField, dimensions: index.dimensions, filterFields: index.filterFields }),
    });
  }
  return out;
}

/** The shape of the field at `path` of a table validator, when the validator says. */
function fieldShape(shape: ValidatorShape, path: string): ValidatorShape | undefined {
  let current: ValidatorShape = shape;
  for (const step of path.split(".")) {
    if (current.kind !== "object") return undefined;
    const field = current.fields[step];
    if (field === undefined) return undefined;
    current = field.shape;
  }
  return current;
}

/** True when values of `shape` may be strings (unknown shapes pass: the index skips non-strings). */
function mayBeString(shape: ValidatorShape): boolean {
  if (shape.kind === "union") return shape.members.some((member) => mayBeString(member.shape));
  return shape.kind === "string" || shape.kind === "any" || (shape.kind === "literal" && typeof shape.value === "string");
}

function mayBeNumberArray(shape: ValidatorShape): boolean {
  if (shape.kind === "union") return shape.members.some((member) => mayBeNumberArray(member.shape));
  return shape.kind === "any" || (shape.kind === "array" && (shape.element.shape.kind === "number" || shape.element.shape.kind === "any"));
}

/**
 * Throws, naming the table, index and field, when a search or vector index cannot work with the
 * table's validator: its field exists but can never hold a string (search) or an array of numbers
 * (vector), or a search field is also listed as a filter field.
 *
 * @example
 * checkSpecialIndexes("messages", shape) // throws for searchIndex("s", { searchField: "count" }) on count: v.number()
 */
export function checkSpecialIndexes(table: string, shape: ShapeWithSpecialIndexes): void {
  const root = shape.validator.shape;
  for (const index of shape.searchIndexes ?? []) {
    const field = fieldShape(root, index.searchField);
    if (field !== undefined && !mayBeString(field)) {
      throw new Error(`Table "${table}": search index "${index.name}" searches field "${index.searchField}", which is not a string in the schema.`);
    }
    if (index.filterFields.includes(index.searchField)) {
      throw new Error(`Table "${table}": search index "${index.name}" lists its search field "${index.searchField}" as a filter field.`);
    }
  }
  for (const index of shape.vectorIndexes ?? []) {
    const field = fieldShape(root, index.vectorField);
    if (field !== undefined && !mayBeNumberArray(field)) {
      throw new Error(`Table "${table}": vector index "${index.name}" uses field "${index.vectorField}", which is not an array of numbers (v.array(v.float64())) in the schema.`);
    }
  }
}
