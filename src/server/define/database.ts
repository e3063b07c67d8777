// The types of `ctx.db`. The implementation lives in `src/server/db`; these interfaces are the
// contract user code is typed against.

import type { Id } from "../../values/id.js";
import type { Value } from "../../values/value.js";
import type { SystemDataModel } from "./system-tables.js";
import type {
  DocumentByName,
  DocumentOf,
  FieldTypeFromPath,
  GenericDataModel,
  GenericTableInfo,
  IndexFields,
  IndexNames,
  NamedTableInfo,
  TableNamesInDataModel,
} from "./data-model.js";
import type { PaginationOptions, PaginationResult } from "../../functions/pagination.js";

export type { PaginationOptions, PaginationResult };

/** A filter expression producing a `T` (built with the filter builder). */
export interface Expression<T> {
  /** Phantom: the type this expression evaluates to. */
  readonly _type?: T;
}
export type ExpressionOrValue<T> = Expression<T> | T;

/** The builder passed to `.filter(q => ...)`. */
export interface FilterBuilder<TI extends GenericTableInfo> {
  field<P extends TI["fieldPaths"]>(path: P): Expression<FieldTypeFromPath<DocumentOf<TI>, P>>;
  eq<T extends Value | undefined>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  neq<T extends Value | undefined>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  lt<T extends Value>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  lte<T extends Value>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  gt<T extends Value>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  gte<T extends Value>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<boolean>;
  and(...exprs: ExpressionOrValue<boolean>[]): Expression<boolean>;
  or(...exprs: ExpressionOrValue<boolean>[]): Expression<boolean>;
  not(expr: ExpressionOrValue<boolean>): Expression<boolean>;
  add<T extends number | bigint>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<T>;
  sub<T extends number | bigint>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<T>;
  mul<T extends number | bigint>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<T>;
  div<T extends number | bigint>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<T>;
  mod<T extends number | bigint>(left: ExpressionOrValue<T>, right: ExpressionOrValue<T>): Expression<T>;
  neg<T extends number | bigint>(value: ExpressionOrValue<T>): Expression<T>;
}

/**
 * The builder passed to `.withIndex(name, q => ...)`: zero or more `eq` on the index's leading
 * fields, then at most one lower bound (`gt`/`gte`) and one upper bound (`lt`/`lte`) on the next.
 */
export interface IndexRangeBuilder<Doc, Fields extends string[]> {
  eq<F extends Fields[number]>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeBuilder<Doc, Fields>;
  gt<F extends Fields[number]>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeBuilder<Doc, Fields>;
  gte<F extends Fields[number]>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeBuilder<Doc, Fields>;
  lt<F extends Fields[number]>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeBuilder<Doc, Fields>;
  lte<F extends Fields[number]>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeBuilder<Doc, Fields>;
}


/** A query that is ordered and may be filtered further. */
export interface OrderedQuery<TI extends GenericTableInfo> extends AsyncIterable<DocumentOf<TI>> {
  filter(predicate: (q: FilterBuilder<TI>) => ExpressionOrValue<boolean>): OrderedQuery<TI>;
  take(n: number): Promise<DocumentOf<TI>[]>;
  first(): Promise<DocumentOf<TI> | null>;
  /** The only result, null when there is none; throws when there is more than one. */
  unique(): Promise<DocumentOf<TI> | null>;
  collect(): Promise<DocumentOf<TI>[]>;
  paginate(options: PaginationOptions): Promise<PaginationResult<DocumentOf<TI>>>;
}

/** A query whose order may still be chosen. */
export interface Query<TI extends GenericTableInfo> extends OrderedQuery<TI> {
  order(order: "asc" | "desc"): OrderedQuery<TI>;
  filter(predicate: (q: FilterBuilder<TI>) => ExpressionOrValue<boolean>): Query<TI>;
}

/** What `ctx.db.query(table)` returns: choose an index (or the default `by_creation_time`). */
export interface QueryInitializer<TI extends GenericTableInfo> extends Query<TI> {
  withIndex<I extends IndexNames<TI>>(
    index: I,
    range?: (q: IndexRangeBuilder<DocumentOf<TI>, IndexFields<TI, I>>) => IndexRangeBuilder<DocumentOf<TI>, IndexFields<TI, I>>,
  ): Query<TI>;
  fullTableScan(): Query<TI>;
}

/**
 * The id the `(table, id)` forms take. With a schema, an id of that table: `NoInfer`, or an id of
 * another table would widen `T` to both tables and be accepted. Without one, documents' `_id`s
 * are `Id<string>` (no table is known), so any id is taken.
 */
type IdInTable<DM extends GenericDataModel, T extends TableNamesInDataModel<DM>> =
  string extends TableNamesInDataModel<DM> ? Id<string> : NoInfer<Id<T>>;

/** Reading one data model: `get`, `query` and `normalizeId`. */
export interface BaseDatabaseReader<DM extends GenericDataModel> {
  get<T extends TableNamesInDataModel<DM>>(id: Id<T>): Promise<DocumentByName<DM, T> | null>;
  get<T extends TableNamesInDataModel<DM>>(table: T, id: IdInTable<DM, T>): Promise<DocumentByName<DM, T> | null>;
  query<T extends TableNamesInDataModel<DM>>(table: T): QueryInitializer<NamedTableInfo<DM, T>>;
  /** The id as an `Id<table>` when it is an id of that table, else null. */
  normalizeId<T extends TableNamesInDataModel<DM>>(table: T, id: string): Id<T> | null;
}

/** `ctx.db` in queries. */
export interface DatabaseReader<DM extends GenericDataModel> extends BaseDatabaseReader<DM> {
  /**
   * Read-only access to the system tables, e.g. the status of scheduled functions.
   *
   * @example
   * const jobs = await ctx.db.system.query("_scheduled_functions").order("desc").take(20);
   * const job = await ctx.db.system.get(jobId); // job?.state.kind === "success"
   */
  readonly system: BaseDatabaseReader<SystemDataModel>;
}

/** The fields a document of `T` may be written with (no system fields). */
export type WithoutSystemFields<Doc> = { [K in keyof Doc as K extends "_id" | "_creationTime" ? never : K]: Doc[K] };
/** A partial update: `undefined` removes a field. */
export type PatchValue<Doc> = { [K in keyof WithoutSystemFields<Doc>]?: WithoutSystemFields<Doc>[K] | undefined };

/** `ctx.db` in mutations. */
export interface DatabaseWriter<DM extends GenericDataModel> extends DatabaseReader<DM> {
  insert<T extends TableNamesInDataModel<DM>>(table: T, document: WithoutSystemFields<DocumentByName<DM, T>>): Promise<Id<T>>;
  patch<T extends TableNamesInDataModel<DM>>(id: Id<T>, fields: PatchValue<DocumentByName<DM, T>>): Promise<void>;
  patch<T extends TableNamesInDataModel<DM>>(table: T, id: IdInTable<DM, T>, fields: PatchValue<DocumentByName<DM, T>>): Promise<void>;
  replace<T extends TableNamesInDataModel<DM>>(id: Id<T>, document: WithoutSystemFields<DocumentByName<DM, T>>): Promise<void>;
  replace<T extends TableNamesInDataModel<DM>>(
    table: T,
    id: IdInTable<DM, T>,
    document: WithoutSystemFields<DocumentByName<DM, T>>,
  ): Promise<void>;
  delete<T extends TableNamesInDataModel<DM>>(id: Id<T>): Promise<void>;
  delete<T extends TableNamesInDataModel<DM>>(table: T, id: IdInTable<DM, T>): Promise<void>;
}
