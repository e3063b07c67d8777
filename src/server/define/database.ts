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
  NamedSearchIndex,
  NamedTableInfo,
  SearchIndexConfig,
  SearchIndexNames,
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

declare const indexRangeBrand: unique symbol;

/**
 * A finished index range: what the callback of `.withIndex(name, q => ...)` returns. Every stage
 * of the builder is one, so the callback may stop after any call (or return `q` itself).
 *
 * It has no methods: once a range has both its bounds, or every field of the index is fixed by
 * `eq`, nothing more may be added. The brand only keeps other values (`q => undefined`,
 * `q => "x"`) from passing for a range; the server refuses those at run time.
 */
export interface IndexRange {
  readonly [indexRangeBrand]: "IndexRange";
}

/**
 * The fields a range may name, in order. The server keys every index by its declared fields,
 * then `_creationTime`, then `_id` (`by_id` by `_id` alone), and accepts ranges on any of them;
 * the index types list `_creationTime` but not the `_id` tiebreak, so it is added here.
 * A field list that is not a tuple (`string[]`, no schema) is left as is.
 */
type IndexKeyFields<Fields extends string[]> = number extends Fields["length"]
  ? Fields
  : Fields extends [...string[], "_id"]
    ? Fields
    : [...Fields, "_id"];

/** The field the next `eq` or bound must name: the first of `Fields` (any field without a schema). */
type NextField<Fields extends string[]> = Fields extends [infer F extends string, ...string[]] ? F : string;

/**
 * What `eq` leads to: the builder for the remaining fields, or a closed range once the last field
 * is fixed (the server refuses anything after that). Without a schema the fields are unknown, so
 * `eq` may go on.
 */
type AfterEq<Doc, Fields extends string[]> = Fields extends [string, ...infer Rest extends string[]]
  ? Rest extends []
    ? IndexRange
    : IndexRangeBuilder<Doc, Rest>
  : IndexRangeBuilder<Doc, Fields>;

/**
 * The builder passed to `.withIndex(name, q => ...)`, before any bound. The server's rules, which
 * the stages of the builder follow so that a wrong range does not compile:
 *
 * - zero or more `eq`, on the index's fields in order (each `eq` moves to the next field);
 * - then at most one lower bound (`gt`/`gte`) and at most one upper bound (`lt`/`lte`), in
 *   either order, both on the field right after the `eq`s;
 * - nothing after that.
 *
 * Each method takes only the next field (the one autocompletion offers) and a value of that
 * field's type. `Fields` are the fields still to be fixed, `_creationTime` and `_id` included.
 *
 * @example
 * // tasks: .index("by_list_done", ["taskListId", "done"])
 * ctx.db.query("tasks").withIndex("by_list_done", (q) => q.eq("taskListId", listId).eq("done", false));
 * ctx.db.query("tasks").withIndex("by_list_done", (q) => q.eq("taskListId", listId).eq("done", false).gte("_creationTime", since));
 * // refused: q.eq("done", false) (skips taskListId), q.gt("taskListId", a).eq("done", true) (eq after a bound)
 */
export interface IndexRangeBuilder<Doc, Fields extends string[]> extends IndexRange {
  /** Fixes the next field to `value` (`undefined` matches documents without the field). */
  eq<F extends NextField<Fields>>(field: F, value: FieldTypeFromPath<Doc, F>): AfterEq<Doc, Fields>;
  /** The next field is greater than `value`; an upper bound on it may follow. */
  gt<F extends NextField<Fields>>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeWithLowerBound<Doc, F>;
  /** The next field is at least `value`; an upper bound on it may follow. */
  gte<F extends NextField<Fields>>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeWithLowerBound<Doc, F>;
  /** The next field is less than `value`; a lower bound on it may follow. */
  lt<F extends NextField<Fields>>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeWithUpperBound<Doc, F>;
  /** The next field is at most `value`; a lower bound on it may follow. */
  lte<F extends NextField<Fields>>(field: F, value: FieldTypeFromPath<Doc, F>): IndexRangeWithUpperBound<Doc, F>;
}

/**
 * An index range with a lower bound (`gt`/`gte`) on `Field`: it may still take one upper bound
 * (`lt`/`lte`), on the same field.
 *
 * @example
 * q.eq("taskListId", listId).gt("done", false).lte("done", true)
 */
export interface IndexRangeWithLowerBound<Doc, Field extends string> extends IndexRange {
  /** `Field` is also less than `value`. */
  lt(field: Field, value: FieldTypeFromPath<Doc, Field>): IndexRange;
  /** `Field` is also at most `value`. */
  lte(field: Field, value: FieldTypeFromPath<Doc, Field>): IndexRange;
}

/**
 * An index range with an upper bound (`lt`/`lte`) on `Field`: it may still take one lower bound
 * (`gt`/`gte`), on the same field (the server accepts the bounds in either order).
 *
 * @example
 * q.lt("priority", 10n).gte("priority", 1n)
 */
export interface IndexRangeWithUpperBound<Doc, Field extends string> extends IndexRange {
  /** `Field` is also greater than `value`. */
  gt(field: Field, value: FieldTypeFromPath<Doc, Field>): IndexRange;
  /** `Field` is also at least `value`. */
  gte(field: Field, value: FieldTypeFromPath<Doc, Field>): IndexRange;
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
  /**
   * Reads through index `index`, optionally restricted to a range (see `IndexRangeBuilder`); the
   * callback may return the builder at any stage.
   *
   * @example
   * ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room).gt("_creationTime", since))
   */
  withIndex<I extends IndexNames<TI>>(
    index: I,
    range?: (q: IndexRangeBuilder<DocumentOf<TI>, IndexKeyFields<IndexFields<TI, I>>>) => IndexRange,
  ): Query<TI>;
  fullTableScan(): Query<TI>;
  /**
   * Runs a full-text search on search index `index`: documents come in relevance order (how many
   * query terms the field holds, how often, and how short the field is); the last term also
   * matches as a prefix. At most 1024 documents.
   *
   * @example
   * ctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "hello wor").eq("channel", "#general")).take(10)
   */
  withSearchIndex<I extends SearchIndexNames<TI>>(
    index: I,
    search: (q: SearchFilterBuilder<DocumentOf<TI>, NamedSearchIndex<TI, I>>) => SearchFilter,
  ): OrderedQuery<TI>;
}

/** A finished search filter: what the callback of `.withSearchIndex(name, q => ...)` returns. */
export interface SearchFilter {
  /** Marks the type; a search filter has no other members. */
  readonly isSearchFilter: true;
}

/** The builder passed to `.withSearchIndex`: exactly one `search(field, text)` comes first. */
export interface SearchFilterBuilder<Doc, Config extends SearchIndexConfig> {
  /**
   * Searches `field` (the index's `searchField`) for the terms of `query`.
   *
   * @example
   * q.search("body", "hello world")
   */
  search(field: Config["searchField"], query: string): SearchFilterFinalizer<Doc, Config>;
}

/** After `search`: zero or more equality filters on the index's `filterFields`. */
export interface SearchFilterFinalizer<Doc, Config extends SearchIndexConfig> extends SearchFilter {
  /**
   * Keeps documents whose `field` equals `value`.
   *
   * @example
   * q.search("body", "hi").eq("channel", "#general")
   */
  eq<F extends Config["filterFields"]>(field: F, value: FieldTypeFromPath<Doc, F>): SearchFilterFinalizer<Doc, Config>;
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
