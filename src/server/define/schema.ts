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
import {
  MAX_SEARCH_FILTER_FIELDS,
  MAX_SEARCH_INDEXES_PER_TABLE,
  MAX_VECTOR_DIMENSIONS,
  MAX_VECTOR_FILTER_FIELDS,
  MAX_VECTOR_INDEXES_PER_TABLE,
  MIN_VECTOR_DIMENSIONS,
} from "../db/search-limits.js";
import type { FieldPaths, SearchIndexConfig, VectorIndexConfig } from "./data-model.js";

type Expand<T> = T extends object ? { [K in keyof T]: T[K] } : T;

/** An index: a name and the fields it orders by (`_creationTime` is appended as a tiebreak). */
export interface IndexDefinition {
  name: string;
  fields: string[];
}

/** A search index: one string field searched for terms, and fields to filter by equality. */
export interface SearchIndexDefinition {
  name: string;
  searchField: string;
  filterFields: string[];
}

/** A vector index: a field holding arrays of `dimensions` numbers, and fields to filter by. */
export interface VectorIndexDefinition {
  name: string;
  vectorField: string;
  dimensions: number;
  filterFields: string[];
}

const SCHEMA = Symbol.for("syncline.Schema");
const RESERVED_INDEX_NAMES = new Set(["by_id", "by_creation_time"]);

/** Each special index kind's limits (Convex's documented ones: search-limits.ts). */
const SPECIAL_INDEX_LIMITS = {
  search: { filterFields: MAX_SEARCH_FILTER_FIELDS, perTable: MAX_SEARCH_INDEXES_PER_TABLE },
  vector: { filterFields: MAX_VECTOR_FILTER_FIELDS, perTable: MAX_VECTOR_INDEXES_PER_TABLE },
} as const;

/**
 * The checks search and vector indexes share, with their kind's limits: no filter field twice,
 * not too many filter fields, not too many indexes of the kind on the table (`existing`).
 * Returns the filter fields as a fresh array.
 *
 * @example
 * checkedFilterFields("search", "search_body", ["channel"], this.searchIndexes) // ["channel"]
 */
function checkedFilterFields(kind: "search" | "vector", name: string, given: readonly string[] | undefined, existing: readonly { name: string }[]): string[] {
  const limits = SPECIAL_INDEX_LIMITS[kind];
  const title = `${kind === "search" ? "Search" : "Vector"} index "${name}"`;
  const filterFields = [...(given ?? [])];
  if (new Set(filterFields).size !== filterFields.length) throw new Error(`${title} lists a filter field twice.`);
  if (filterFields.length > limits.filterFields) {
    throw new Error(`${title} lists ${filterFields.length} filter fields; a ${kind} index may have at most ${limits.filterFields}.`);
  }
  if (existing.length >= limits.perTable) {
    throw new Error(`${title}: a table may have at most ${limits.perTable} ${kind} indexes, and this one has ${existing.map((index) => index.name).join(", ")}.`);
  }
  return filterFields;
}

/** One table of a schema. Build it with `defineTable`. */
export class TableDefinition<
  Document = Record<string, unknown>,
  Indexes extends Record<string, string[]> = {},
  SearchIndexes extends Record<string, SearchIndexConfig> = {},
  VectorIndexes extends Record<string, VectorIndexConfig> = {},
> {
  /** Phantom: the document type without system fields. */
  declare readonly document: Document;
  /** Phantom: the indexes by name. */
  declare readonly indexTypes: Indexes;
  /** Phantom: the search indexes by name. */
  declare readonly searchIndexTypes: SearchIndexes;
  /** Phantom: the vector indexes by name. */
  declare readonly vectorIndexTypes: VectorIndexes;
  readonly indexes: readonly IndexDefinition[];
  readonly searchIndexes: readonly SearchIndexDefinition[];
  readonly vectorIndexes: readonly VectorIndexDefinition[];
  readonly validator: GenericValidator;

  constructor(
    validator: GenericValidator,
    indexes: readonly IndexDefinition[] = [],
    searchIndexes: readonly SearchIndexDefinition[] = [],
    vectorIndexes: readonly VectorIndexDefinition[] = [],
  ) {
    this.validator = validator;
    this.indexes = indexes;
    this.searchIndexes = searchIndexes;
    this.vectorIndexes = vectorIndexes;
  }

  private checkNewName(name: string): void {
    if (RESERVED_INDEX_NAMES.has(name)) throw new Error(`Index name "${name}" is reserved for a built-in index.`);
    const taken = [...this.indexes, ...this.searchIndexes, ...this.vectorIndexes].some((index) => index.name === name);
    if (taken) throw new Error(`Index "${name}" is defined twice.`);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`Index name "${name}" must match [A-Za-z][A-Za-z0-9_]*.`);
  }

  /**
   * Adds a full-text search index over the string field `searchField`, filterable by equality on
   * `filterFields`. Query it with `.withSearchIndex(name, (q) => q.search(field, text).eq(...))`.
   *
   * @example
   * defineTable({ body: v.string(), channel: v.string() }).searchIndex("search_body", { searchField: "body", filterFields: ["channel"] })
   */
  searchIndex<Name extends string, SearchField extends FieldPaths<Document>, FilterFields extends FieldPaths<Document> = never>(
    name: Name,
    config: { searchField: SearchField; filterFields?: FilterFields[] },
  ): TableDefinition<Document, Indexes, Expand<SearchIndexes & Record<Name, { searchField: SearchField; filterFields: FilterFields }>>, VectorIndexes> {
    this.checkNewName(name);
    if (typeof config?.searchField !== "string" || config.searchField === "") throw new Error(`Search index "${name}" needs a searchField (a field path).`);
    const filterFields = checkedFilterFields("search", name, config.filterFields, this.searchIndexes);
    const definition: SearchIndexDefinition = { name, searchField: config.searchField, filterFields };
    return new TableDefinition(this.validator, this.indexes, [...this.searchIndexes, definition], this.vectorIndexes);
  }

  /**
   * Adds a vector index over `vectorField` (arrays of exactly `dimensions` numbers, checked on
   * every write), filterable by `filterFields`. Query it with `ctx.vectorSearch` in an action.
   *
   * @example
   * defineTable({ embedding: v.array(v.float64()) }).vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536 })
   */
  vectorIndex<Name extends string, VectorField extends FieldPaths<Document>, FilterFields extends FieldPaths<Document> = never>(
    name: Name,
    config: { vectorField: VectorField; dimensions: number; filterFields?: FilterFields[] },
  ): TableDefinition<Document, Indexes, SearchIndexes, Expand<VectorIndexes & Record<Name, { vectorField: VectorField; dimensions: number; filterFields: FilterFields }>>> {
    this.checkNewName(name);
    if (typeof config?.vectorField !== "string" || config.vectorField === "") throw new Error(`Vector index "${name}" needs a vectorField (a field path).`);
    const { dimensions } = config;
    if (!Number.isInteger(dimensions) || dimensions < MIN_VECTOR_DIMENSIONS || dimensions > MAX_VECTOR_DIMENSIONS) {
      throw new Error(`Vector index "${name}": dimensions must be an integer from ${MIN_VECTOR_DIMENSIONS} to ${MAX_VECTOR_DIMENSIONS}, got ${String(dimensions)}.`);
    }
    const filterFields = checkedFilterFields("vector", name, config.filterFields, this.vectorIndexes);
    const definition: VectorIndexDefinition = { name, vectorField: config.vectorField, dimensions, filterFields };
    return new TableDefinition(this.validator, this.indexes, this.searchIndexes, [...this.vectorIndexes, definition]);
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
  ): TableDefinition<Document, Expand<Indexes & Record<Name, [First, ...Rest, "_creationTime"]>>, SearchIndexes, VectorIndexes> {
    this.checkNewName(name);
    if (fields.length === 0) throw new Error(`Index "${name}" needs at least one field.`);
    if (new Set(fields).size !== fields.length) throw new Error(`Index "${name}" lists a field twice.`);
    return new TableDefinition(this.validator, [...this.indexes, { name, fields: [...fields] }], this.searchIndexes, this.vectorIndexes);
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

export type GenericSchema = Record<
  string,
  TableDefinition<unknown, Record<string, string[]>, Record<string, SearchIndexConfig>, Record<string, VectorIndexConfig>>
>;

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
  [T in keyof S["tables"] & string]: S["tables"][T] extends TableDefinition<infer Document, infer Indexes, infer SearchIndexes, infer VectorIndexes>
    ? {
        document: Expand<SystemFields<T> & Document>;
        fieldPaths: FieldPaths<Document> | "_id" | "_creationTime";
        indexes: Expand<Indexes & { by_id: ["_id"]; by_creation_time: ["_creationTime"] }>;
        searchIndexes: SearchIndexes;
        vectorIndexes: VectorIndexes;
      }
    : never;
};
