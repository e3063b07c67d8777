// `defineSchema` and `defineTable`: the tables, their document validators and their indexes.
// The server enforces the validators on every write; the types become the data model.

import type { Id } from "../../values/id.js";
import {
  asObjectValidator,
  type GenericValidator,
  type Infer,
  type PropertyValidators,
  type Validator,
  type ValidatorShape,
  type ObjectType,
} from "../../values/validators.js";
import { tableNameProblem } from "../../values/limits.js";
import type { FieldPaths } from "./data-model.js";

type Expand<T> = T extends object ? { [K in keyof T]: T[K] } : T;

/** An index: a name and the fields it orders by (`_creationTime` is appended as a tiebreak). */
export interface IndexDefinition {
  name: string;
  fields: string[];
}

const SCHEMA = Symbol.for("syncline.Schema");
const RESERVED_INDEX_NAMES = new Set(["by_id", "by_creation_time"]);

/** One table of a schema. Build it with `defineTable`. */
export class TableDefinition<
  Document = Record<string, unknown>,
  Indexes extends Record<string, string[]> = {},
> {
  /** Phantom: the document type without system fields. */
  declare readonly document: Document;
  /** Phantom: the indexes by name. */
  declare readonly indexTypes: Indexes;
  readonly indexes: readonly IndexDefinition[];
  readonly validator: GenericValidator;

  constructor(validator: GenericValidator, indexes: readonly IndexDefinition[] = []) {
    this.validator = validator;
    this.indexes = indexes;
  }

  /**
   * Adds an index ordered by `fields`.
   *
   * @example
   * defineTable({ room: v.string(), body: v.string() }).index("by_room", ["room"])
   */
  index<Name extends string, First extends FieldPaths<Document>, Rest extends FieldPaths<Document>[]>(
    name: Name,
    fields: [First, ...Rest],
  ): TableDefinition<Document, Expand<Indexes & Record<Name, [First, ...Rest, "_creationTime"]>>> {
    if (RESERVED_INDEX_NAMES.has(name)) throw new Error(`Index name "${name}" is reserved for a built-in index.`);
    if (this.indexes.some((index) => index.name === name)) throw new Error(`Index "${name}" is defined twice.`);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`Index name "${name}" must match [A-Za-z][A-Za-z0-9_]*.`);
    if (fields.length === 0) throw new Error(`Index "${name}" needs at least one field.`);
    if (new Set(fields).size !== fields.length) throw new Error(`Index "${name}" lists a field twice.`);
    return new TableDefinition(this.validator, [...this.indexes, { name, fields: [...fields] }]);
  }
}

/**
 * Defines a table from field validators (or a `v.object`).
 *
 * @example
 * const messages = defineTable({ room: v.string(), body: v.string() }).index("by_room", ["room"]);
 */
export function defineTable<Fields extends PropertyValidators>(fields: Fields): TableDefinition<ObjectType<Fields>>;
export function defineTable<V extends Validator<Record<string, unknown>, "required", ValidatorShape>>(
  validator: V,
): TableDefinition<Infer<V>>;
export function defineTable(fields: PropertyValidators | GenericValidator): TableDefinition {
  const validator = asObjectValidator(fields);
  if (validator.shape.kind !== "object" && validator.shape.kind !== "union" && validator.shape.kind !== "any") {
    throw new Error("defineTable takes field validators, v.object(...) or a union of objects.");
  }
  return new TableDefinition(validator);
}

export type GenericSchema = Record<string, TableDefinition<unknown, Record<string, string[]>>>;

/** A whole schema. Build it with `defineSchema`. */
export interface SchemaDefinition<Tables extends GenericSchema> {
  readonly [SCHEMA]: true;
  readonly tables: Tables;
  /** When false, documents are not checked against the table validators (types only). */
  readonly schemaValidation: boolean;
}

/**
 * Defines the schema: the default export of `schema.ts`.
 *
 * @example
 * export default defineSchema({ messages: defineTable({ body: v.string() }) });
 */
export function defineSchema<Tables extends GenericSchema>(
  tables: Tables,
  options: { schemaValidation?: boolean } = {},
): SchemaDefinition<Tables> {
  for (const name of Object.keys(tables)) {
    const problem = tableNameProblem(name);
    if (problem !== undefined) throw new Error(`defineSchema: ${problem}`);
  }
  return { [SCHEMA]: true, tables, schemaValidation: options.schemaValidation ?? true };
}

/** True for a schema made by `defineSchema` (from any copy of Syncline). */
export function isSchema(value: unknown): value is SchemaDefinition<GenericSchema> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SCHEMA] === true;
}

type SystemFields<T extends string> = { _id: Id<T>; _creationTime: number };

/** The data model a schema describes. */
export type DataModelFromSchemaDefinition<S extends SchemaDefinition<GenericSchema>> = {
  [T in keyof S["tables"] & string]: S["tables"][T] extends TableDefinition<infer Document, infer Indexes>
    ? {
        document: Expand<SystemFields<T> & Document>;
        fieldPaths: FieldPaths<Document> | "_id" | "_creationTime";
        indexes: Expand<Indexes & { by_id: ["_id"]; by_creation_time: ["_creationTime"] }>;
      }
    : never;
};
