// The types that describe a database: documents, tables, indexes. A schema produces a data model
// (`DataModelFromSchemaDefinition`); without one, `AnyDataModel` accepts any table.

import type { Id } from "../../values/id.js";
import type { Value } from "../../values/value.js";

/** A stored document: its own fields plus `_id` and `_creationTime`. */
export type GenericDocument = Record<string, Value | undefined>;

/** What the type system knows about one table. */
export interface GenericTableInfo {
  document: GenericDocument;
  fieldPaths: string;
  indexes: Record<string, string[]>;
  /** Search indexes by name: the searched field and the filter fields (a union of paths). */
  searchIndexes?: Record<string, SearchIndexConfig>;
  /** Vector indexes by name: the vector field, dimensions and the filter fields. */
  vectorIndexes?: Record<string, VectorIndexConfig>;
}

/** One search index in the type system. */
export interface SearchIndexConfig {
  searchField: string;
  filterFields: string;
}

/** One vector index in the type system. */
export interface VectorIndexConfig {
  vectorField: string;
  dimensions: number;
  filterFields: string;
}

/** What the type system knows about every table. */
export type GenericDataModel = Record<string, GenericTableInfo>;

/**
 * The data model of a project without a schema: any table, any document. Its fields are `any`,
 * the one deliberate `any` of the public types: without a schema nothing is known about a field,
 * and code written for a schemaless Convex app (`ctx.storage.getUrl(message.body)`) relies on
 * exactly this. Add a schema to get real types.
 */
export type AnyDataModel = {
  [table: string]: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    document: { _id: Id<string>; _creationTime: number; [field: string]: any };
    fieldPaths: string;
    indexes: Record<string, string[]>;
    searchIndexes: Record<string, SearchIndexConfig>;
    vectorIndexes: Record<string, VectorIndexConfig>;
  };
};

export type TableNamesInDataModel<DM extends GenericDataModel> = keyof DM & string;
export type DocumentByName<DM extends GenericDataModel, T extends TableNamesInDataModel<DM>> = DM[T]["document"];
export type NamedTableInfo<DM extends GenericDataModel, T extends TableNamesInDataModel<DM>> = DM[T];
export type DocumentOf<TI extends GenericTableInfo> = TI["document"];
export type IndexNames<TI extends GenericTableInfo> = keyof TI["indexes"] & string;
export type IndexFields<TI extends GenericTableInfo, I extends IndexNames<TI>> = TI["indexes"][I];
/** The names of a table's search indexes. */
export type SearchIndexNames<TI extends GenericTableInfo> = TI["searchIndexes"] extends Record<string, SearchIndexConfig> ? keyof TI["searchIndexes"] & string : never;
/** One search index of a table. */
export type NamedSearchIndex<TI extends GenericTableInfo, I extends SearchIndexNames<TI>> = NonNullable<TI["searchIndexes"]>[I];
/** The names of a table's vector indexes. */
export type VectorIndexNames<TI extends GenericTableInfo> = TI["vectorIndexes"] extends Record<string, VectorIndexConfig> ? keyof TI["vectorIndexes"] & string : never;
/** One vector index of a table. */
export type NamedVectorIndex<TI extends GenericTableInfo, I extends VectorIndexNames<TI>> = NonNullable<TI["vectorIndexes"]>[I];

/** Dotted paths to the fields of `T` (`author`, `author.name`), for indexes and filters. */
export type FieldPaths<T> = T extends ArrayBuffer | readonly unknown[] | string
  ? never
  : T extends object
    ? { [K in keyof T & string]: K | (NonNullable<T[K]> extends object ? NestedPaths<K, NonNullable<T[K]>> : never) }[keyof T & string]
    : never;
type NestedPaths<K extends string, T> = T extends ArrayBuffer | readonly unknown[] | string ? never : `${K}.${FieldPaths<T>}`;

/** The type of the field at a dotted path (undefined when it may be missing). */
export type FieldTypeFromPath<Doc, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof Doc
    ? FieldTypeFromPath<NonNullable<Doc[Head]>, Rest> | (undefined extends Doc[Head] ? undefined : never)
    : undefined
  : Path extends keyof Doc
    ? Doc[Path]
    : undefined;
