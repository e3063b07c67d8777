// The `ctx` objects handlers receive.

import type {
  AnyFunctionReference,
  FunctionReference,
  FunctionReturnType,
  FunctionVisibility,
  OptionalRestArgs,
} from "../../functions/reference.js";
import type { Id } from "../../values/id.js";
import type { Value } from "../../values/value.js";
import type {
  DocumentOf,
  FieldTypeFromPath,
  GenericDataModel,
  NamedTableInfo,
  NamedVectorIndex,
  TableNamesInDataModel,
  VectorIndexConfig,
  VectorIndexNames,
} from "./data-model.js";
import type { DatabaseReader, DatabaseWriter } from "./database.js";

/** Who is calling, from a verified token (see the authentication docs). */
export interface UserIdentity {
  /** Unique across providers: `<issuer>|<subject>`. */
  readonly tokenIdentifier: string;
  readonly subject: string;
  readonly issuer: string;
  readonly name?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly nickname?: string;
  readonly preferredUsername?: string;
  readonly pictureUrl?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly phoneNumber?: string;
  readonly phoneNumberVerified?: boolean;
  readonly updatedAt?: string;
  readonly [claim: string]: unknown;
}

/** `ctx.auth`. */
export interface Auth {
  /** The caller's identity, or null for anonymous calls. */
  getUserIdentity(): Promise<UserIdentity | null>;
}

/**
 * `ctx.storage` of a query: links to stored files. A file's metadata is a row of `_storage`
 * (`ctx.db.system.get(storageId)`).
 */
export interface StorageReader {
  /**
   * The URL that serves the file, or null when there is no such file (any more). A live query
   * that asked updates when the file is deleted.
   *
   * @example
   * const url = await ctx.storage.getUrl(message.imageId); // <img src={url} />
   */
  getUrl(storageId: Id<"_storage">): Promise<string | null>;
  /**
   * @deprecated Pass an `Id<"_storage">`. A plain string is accepted for code written for Convex;
   * it must still be a storage id, or the call throws. An id of another table is refused.
   */
  getUrl(storageId: string & { readonly __tableName?: never }): Promise<string | null>;
}

/** `ctx.storage` of a mutation: also makes upload URLs, deletes, stores and reads files. */
export interface StorageWriter extends StorageReader {
  /**
   * A URL a client can POST one file to (the body is the file, its `Content-Type` is kept). The
   * answer is JSON `{ "storageId": ... }`. Valid for one hour, for any number of uploads.
   *
   * @example
   * export const generateUploadUrl = mutation({ args: {}, handler: (ctx) => ctx.storage.generateUploadUrl() });
   * // client: const { storageId } = await (await fetch(url, { method: "POST", headers: { "Content-Type": file.type }, body: file })).json();
   */
  generateUploadUrl(): Promise<string>;
  /**
   * Deletes a file. In a mutation it is part of the transaction: a mutation that throws deletes
   * nothing. Throws when there is no such file.
   *
   * @example
   * await ctx.storage.delete(message.imageId);
   */
  delete(storageId: Id<"_storage">): Promise<void>;
  /**
   * The file's contents, or null when there is no such file. In a mutation, whether the file
   * exists is read in its transaction (a file it deleted is null, one it stored is there).
   *
   * @example
   * const blob = await ctx.storage.get(storageId);
   * const text = blob === null ? "" : await blob.text();
   */
  get(storageId: Id<"_storage">): Promise<Blob | null>;
  /**
   * Stores a file and returns its id; the blob's `type` becomes its content type. Given `sha256`
   * (base64), the bytes must have that digest or nothing is stored. In a mutation the file's
   * `_storage` row is a write of its transaction (a mutation that throws stores nothing), and
   * the contents it stores, and reads with `get`, count against its limits: 16 MiB of each.
   *
   * @example
   * const storageId = await ctx.storage.store(new Blob([csv], { type: "text/csv" }));
   * await ctx.db.insert("exports", { storageId });
   */
  store(blob: Blob, options?: { sha256?: string }): Promise<Id<"_storage">>;
}

/** `ctx.storage` of an action: what a mutation has, each call its own transaction, without byte limits. */
export type StorageActionWriter = StorageWriter;

/** `ctx` of a query. */
export interface GenericQueryCtx<DM extends GenericDataModel> {
  db: DatabaseReader<DM>;
  auth: Auth;
  storage: StorageReader;
  meta: QueryMeta;
}

/** `ctx.meta` of queries and mutations. */
export interface QueryMeta {
  /**
   * The commit timestamp of the snapshot this function reads (nanoseconds, on the database's
   * commit clock - not comparable with `_creationTime` or `Date.now()`): every document it sees
   * was committed at or before it.
   *
   * @example
   * const ts = ctx.meta.getSnapshotTs(); // e.g. 1765000000123456789n
   */
  getSnapshotTs(): bigint;
}

/** A function the scheduler and crons can run: a mutation or an action, public or internal. */
export type SchedulableFunctionReference = FunctionReference<"mutation" | "action", FunctionVisibility>;

/**
 * `ctx.scheduler`: runs a mutation or action later, durably. From a mutation the job is part of
 * its transaction (a mutation that throws schedules nothing); from an action it is written at
 * once. Scheduled functions run with no user identity; mutations run exactly once, actions at
 * most once. Each job's status is a row of `_scheduled_functions` (read it with
 * `ctx.db.system`).
 */
export interface Scheduler {
  /**
   * Runs `fn` after `delayMs` milliseconds (0: as soon as this call's transaction commits).
   *
   * @example
   * const jobId = await ctx.scheduler.runAfter(0, internal.reports.build, { reportId });
   */
  runAfter<F extends SchedulableFunctionReference>(delayMs: number, fn: F, ...args: OptionalRestArgs<F>): Promise<Id<"_scheduled_functions">>;
  /**
   * Runs `fn` at a point in time (milliseconds since the epoch, or a Date); a past time means now.
   *
   * @example
   * await ctx.scheduler.runAt(new Date("2030-01-01T00:00:00Z"), internal.mail.sendGreeting, { userId });
   */
  runAt<F extends SchedulableFunctionReference>(timestamp: number | Date, fn: F, ...args: OptionalRestArgs<F>): Promise<Id<"_scheduled_functions">>;
  /**
   * Cancels a job that has not finished: a pending one never runs; a running action is not
   * stopped, but its job stays `canceled`. Canceling a finished job changes nothing.
   *
   * @example
   * await ctx.scheduler.cancel(jobId);
   */
  cancel(id: Id<"_scheduled_functions">): Promise<void>;
}

/** `ctx` of a mutation. */
export interface GenericMutationCtx<DM extends GenericDataModel> {
  db: DatabaseWriter<DM>;
  auth: Auth;
  /** Schedules functions atomically with this mutation's writes. */
  scheduler: Scheduler;
  /** File deletions are part of this mutation's transaction. */
  storage: StorageWriter;
  meta: QueryMeta;
}

type Callable<Kind extends "query" | "mutation" | "action"> = FunctionReference<Kind, FunctionVisibility>;

/** `ctx` of an action: no database, but it may call other functions (each its own transaction). */
export interface GenericActionCtx<DM extends GenericDataModel> {
  runQuery<Q extends Callable<"query">>(query: Q, ...args: OptionalRestArgs<Q>): Promise<FunctionReturnType<Q>>;
  runMutation<M extends Callable<"mutation">>(mutation: M, ...args: OptionalRestArgs<M>): Promise<FunctionReturnType<M>>;
  runAction<A extends Callable<"action">>(action: A, ...args: OptionalRestArgs<A>): Promise<FunctionReturnType<A>>;
  auth: Auth;
  /** Schedules functions (each call is its own small write). */
  scheduler: Scheduler;
  storage: StorageActionWriter;
  /**
   * The `limit` documents (1-256, default 10) whose vectors in vector index `index` are most
   * similar to `query.vector` by cosine similarity, best first, optionally only those whose
   * filter fields match `filter`.
   *
   * @example
   * const results = await ctx.vectorSearch("foods", "by_embedding", { vector, limit: 16, filter: (q) => q.eq("cuisine", "French") });
   */
  vectorSearch<T extends TableNamesInDataModel<DM>, I extends VectorIndexNames<NamedTableInfo<DM, T>>>(
    table: T,
    index: I,
    query: VectorSearchQuery<DocumentOf<NamedTableInfo<DM, T>>, NamedVectorIndex<NamedTableInfo<DM, T>, I>>,
  ): Promise<{ _id: Id<T>; _score: number }[]>;
  /** Phantom: ties the context to its data model (actions reach data through runQuery). */
  readonly _dataModel?: DM;
}

/**
 * `ctx` of an HTTP action: the same as an action's. `auth` answers for the request's
 * `Authorization: Bearer <token>` header.
 */
export type GenericHttpActionCtx<DM extends GenericDataModel> = GenericActionCtx<DM>;

export type { AnyFunctionReference };

/** What `ctx.vectorSearch` takes. */
export interface VectorSearchQuery<Doc, Config extends VectorIndexConfig> {
  /** The query vector: exactly the index's `dimensions` numbers. */
  vector: number[];
  /** How many results (1 to 256, default 10). */
  limit?: number;
  /** Which documents qualify: `q.eq` on a filter field, or `q.or` of several. */
  filter?: (q: VectorFilterBuilder<Doc, Config>) => VectorFilterExpression;
}

/** A finished vector filter. */
export interface VectorFilterExpression {
  /** Marks the type; the expression has no other members. */
  readonly alternatives: readonly unknown[];
}

/** The builder handed to a vector search's `filter`. */
export interface VectorFilterBuilder<Doc, Config extends VectorIndexConfig> {
  /** Documents whose filter field `field` equals `value`. */
  eq<F extends Config["filterFields"]>(field: F, value: FieldTypeFromPath<Doc, F> & (Value | undefined)): VectorFilterExpression;
  /** Documents matching any of `filters`. */
  or(...filters: VectorFilterExpression[]): VectorFilterExpression;
}
