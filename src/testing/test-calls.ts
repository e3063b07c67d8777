// What a test does with a test runtime as one caller (anonymous, or an identity from
// `withIdentity`): call functions by reference - internal ones too, tests are trusted - read and
// write the database directly, fetch HTTP actions, and connect a real client in-process.

import type { AnyDataModel, GenericDataModel } from "../server/define/data-model.js";
import type { DatabaseWriter } from "../server/define/database.js";
import type { Auth, StorageActionWriter, StorageWriter, UserIdentity } from "../server/define/context.js";
import type { Database } from "../server/db/types.js";
import type { ServerLogger } from "../server/logger.js";
import type { Caller, Runtime } from "../server/runtime/runtime.js";
import { wireErrorData, wireValue, type Outcome } from "../server/runtime/outcome.js";
import { actionStorage, transactionStorage } from "../server/storage/storage-api.js";
import type { FileStorage } from "../server/storage/file-storage.js";
import { encodeArgs } from "../client/query-token.js";
import { functionError } from "../client/errors.js";
import { SynclineClient } from "../client/client.js";
import type { SynclineClientOptions } from "../client/types.js";
import {
  getFunctionName,
  isFunctionReference,
  type FunctionKind,
  type FunctionReference,
  type FunctionReturnType,
  type OptionalRestArgs,
} from "../functions/reference.js";
import { decodeValue } from "../values/encoding.js";
import { fetchHttpAction, TEST_SITE_URL } from "./http-fetch.js";
import type { InProcessSync } from "./in-process-sync.js";
import type { TestTokenVerifier } from "./test-identities.js";

/**
 * `ctx` of `t.run`, as a mutation has it: the database (read and write, one transaction),
 * storage (file URLs, upload URLs, deletions in the transaction) and the caller's auth.
 */
export interface TestRunCtx<DM extends GenericDataModel = AnyDataModel> {
  db: DatabaseWriter<DM>;
  storage: StorageWriter;
  auth: Auth;
}

/** Options of an in-process client (`t.client()`): the client's own, minus the socket. */
export type InProcessClientOptions = Omit<SynclineClientOptions, "WebSocket">;

/** The parts of a test runtime every caller shares. */
export interface TestRuntimeParts {
  runtime(): Runtime;
  db: Database;
  storage: FileStorage;
  logger: ServerLogger;
  verifier: TestTokenVerifier;
  sync: InProcessSync;
  /** Every in-process client, closed with the runtime. */
  clients: Set<SynclineClient>;
  /** `t.close()` was called. */
  closed: boolean;
  /** Throws when the runtime is closed. */
  assertOpen(): void;
}

/**
 * A test runtime as one caller.
 *
 * @example
 * const id = await t.mutation(api.messages.send, { room: "a", body: "hi" });
 * expect(await t.query(api.messages.list, { room: "a" })).toHaveLength(1);
 */
export class SyncTestCalls<DM extends GenericDataModel = AnyDataModel> {
  /** @internal */
  protected readonly parts: TestRuntimeParts;
  readonly #caller: Caller;

  /** @internal */
  constructor(parts: TestRuntimeParts, identity: UserIdentity | null) {
    this.parts = parts;
    this.#caller = { origin: "server", identity };
  }

  /**
   * Runs a query (public or internal) at the latest snapshot.
   *
   * @example
   * const messages = await t.query(api.messages.list, { room: "a" });
   */
  query<Q extends FunctionReference<"query">>(query: Q, ...args: OptionalRestArgs<Q>): Promise<FunctionReturnType<Q>> {
    return this.#call("query", query, args[0]) as Promise<FunctionReturnType<Q>>;
  }

  /**
   * Runs a mutation (public or internal) as one transaction; jobs it schedules for now start
   * right after it commits, as on a server.
   *
   * @example
   * await t.mutation(internal.messages.purge, { room: "a" });
   */
  mutation<M extends FunctionReference<"mutation">>(mutation: M, ...args: OptionalRestArgs<M>): Promise<FunctionReturnType<M>> {
    return this.#call("mutation", mutation, args[0]) as Promise<FunctionReturnType<M>>;
  }

  /**
   * Runs an action (public or internal).
   *
   * @example
   * const summary = await t.action(api.summaries.summarize, { room: "a" });
   */
  action<A extends FunctionReference<"action">>(action: A, ...args: OptionalRestArgs<A>): Promise<FunctionReturnType<A>> {
    return this.#call("action", action, args[0]) as Promise<FunctionReturnType<A>>;
  }

  /**
   * Runs `fn` with direct database access in one transaction (a throw writes nothing), to seed
   * data or look at it. Live queries see the writes like a mutation's.
   *
   * @example
   * const id = await t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "seeded" }));
   * const all = await t.run((ctx) => ctx.db.query("messages").collect());
   */
  async run<T>(fn: (ctx: TestRunCtx<DM>) => T | Promise<T>): Promise<T> {
    this.parts.assertOpen();
    const auth: Auth = { getUserIdentity: async () => this.#caller.identity };
    // Contents of files stored here, held until the transaction ended (a throw removes them).
    const stored: string[] = [];
    const { result } = await this.parts.db
      .write(
        async (tx) => {
          const { storage, deletedDigests } = transactionStorage(tx, this.parts.storage, stored);
          const value = await fn({ db: tx.db as unknown as DatabaseWriter<DM>, storage, auth });
          return { value, deleted: deletedDigests() };
        },
        // System access for the `_storage` rows of deletions and new files; `ctx.db` stays user-only, as in a mutation.
        { system: true },
      )
      .finally(() => {
        if (stored.length > 0) void this.parts.storage.letGo(stored);
      });
    // Contents of files the transaction deleted go once it committed, as after a mutation.
    if (result.deleted.length > 0) void this.parts.storage.release(result.deleted);
    return result.value;
  }

  /**
   * File storage as an action has it: store and read contents, URLs, deletions - each call a
   * transaction of its own. Seed a file with it, then use its id in `t.run` or a call.
   *
   * @example
   * const storageId = await t.storage.store(new Blob(["hello"], { type: "text/plain" }));
   * expect(await (await t.storage.get(storageId))!.text()).toBe("hello");
   */
  get storage(): StorageActionWriter {
    this.parts.assertOpen();
    return actionStorage(this.parts.storage, this.parts.runtime().systemWriter());
  }

  /**
   * Sends a request to the HTTP actions of `http.ts` (a path, or a full URL on any origin).
   *
   * @example
   * const response = await t.fetch("/postMessage", { method: "POST", body: JSON.stringify({ body: "hi" }) });
   * expect(response.status).toBe(200);
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    this.parts.assertOpen();
    return fetchHttpAction(this.parts.runtime(), this.#caller, this.parts.logger, input, init);
  }

  /**
   * A real client connected to this runtime in-process (no port): live queries update when
   * data changes, mutations run in order, as this caller's identity. Closed with the runtime.
   *
   * @example
   * const client = t.client();
   * client.subscribe(api.messages.list, { room: "a" }, (messages) => seen.push(messages));
   */
  client(options: InProcessClientOptions = {}): SynclineClient {
    this.parts.assertOpen();
    const client = new SynclineClient(TEST_SITE_URL, { unsavedChangesWarning: false, ...options, WebSocket: this.parts.sync.WebSocket });
    const identity = this.#caller.identity;
    if (identity !== null) {
      const token = this.parts.verifier.mint(identity);
      client.setAuth(async () => token);
    }
    this.parts.clients.add(client);
    return client;
  }

  async #call(kind: FunctionKind, reference: unknown, args: unknown): Promise<unknown> {
    this.parts.assertOpen();
    if (!isFunctionReference(reference)) {
      throw new TypeError(`t.${kind} expects a function reference such as api.messages.list or internal.messages.purge.`);
    }
    const name = getFunctionName(reference);
    // Through the wire encoding, as a client's call: the function gets plain values of its own.
    const copied = decodeValue(encodeArgs(args));
    const runtime = this.parts.runtime();
    const outcome: Outcome =
      kind === "query"
        ? await runtime.query(name, copied, this.#caller)
        : kind === "mutation"
          ? await runtime.mutation(name, copied, this.#caller)
          : await runtime.action(name, copied, this.#caller);
    for (const line of outcome.logLines) this.parts.logger.functionLine(kind, name, line);
    if (outcome.ok) return decodeValue(wireValue(outcome));
    // The very error a client's call rejects with: an AppError with its data, or a plain Error.
    const data = wireErrorData(outcome);
    throw functionError(kind, name, outcome.message, data === undefined ? undefined : decodeValue(data));
  }
}
