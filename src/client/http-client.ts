// `SynclineHttpClient`: function calls over plain HTTP, for scripts, tests and server-side
// rendering. No subscriptions; mutations still run one at a time in call order.

import {
  assertClientReference,
  getFunctionName,
  type FunctionKind,
  type FunctionReturnType,
  type OptionalRestArgs,
} from "../functions/reference.js";
import { decodeValue } from "../values/encoding.js";
import type { Value } from "../values/value.js";
import { HttpTransport, type FetchFunction } from "../../transport/http.js";
import { ClientLog } from "./client-log.js";
import { functionError } from "./errors.js";
import { encodeArgs } from "./query-token.js";
import type { ArgsAndOptions, Logger, PublicActionReference, PublicMutationReference, PublicQueryReference } from "./types.js";

export interface SynclineHttpClientOptions {
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction;
  /** Where function log lines and failures go (default `console`); `false` silences. */
  logger?: Logger | false;
}

export interface HttpMutationOptions {
  /** Send at once instead of after the mutations called before it. */
  skipQueue?: boolean;
}

/**
 * @example
 * const http = new SynclineHttpClient("http://127.0.0.1:3210");
 * http.setAuth(token);
 * const messages = await http.query(api.messages.list, { room: "a" });
 * await http.mutation(api.messages.send, { room: "a", body: "hi" });
 */
export class SynclineHttpClient {
  readonly #transport: HttpTransport;
  readonly #log: ClientLog;
  #token: string | undefined;
  /** The tail of the mutation queue: each queued mutation starts when this settles. */
  #queueTail: Promise<unknown> = Promise.resolve();

  constructor(url: string, options: SynclineHttpClientOptions = {}) {
    this.#transport = new HttpTransport({ url, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.#log = new ClientLog(options.logger, false);
  }

  /** The deployment URL. */
  get url(): string {
    return this.#transport.url;
  }

  /** Sends `token` as `Authorization: Bearer` with every call. */
  setAuth(token: string): void {
    this.#token = token;
  }

  clearAuth(): void {
    this.#token = undefined;
  }

  /** Runs a query at the latest state. */
  query<Q extends PublicQueryReference>(query: Q, ...args: OptionalRestArgs<Q>): Promise<FunctionReturnType<Q>> {
    return this.#call("query", query, args[0]) as Promise<FunctionReturnType<Q>>;
  }

  /** Runs a mutation; mutations from this client run one at a time, in call order, unless `skipQueue`. */
  mutation<M extends PublicMutationReference>(
    mutation: M,
    ...argsAndOptions: ArgsAndOptions<M, HttpMutationOptions>
  ): Promise<FunctionReturnType<M>> {
    const [args, options] = argsAndOptions;
    let call: () => Promise<Value>;
    try {
      call = this.#prepare("mutation", mutation, args);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (options?.skipQueue) return call() as Promise<FunctionReturnType<M>>;
    const result = this.#queueTail.then(call);
    this.#queueTail = result.catch(() => {});
    return result as Promise<FunctionReturnType<M>>;
  }

  /** Runs an action. */
  action<A extends PublicActionReference>(action: A, ...args: OptionalRestArgs<A>): Promise<FunctionReturnType<A>> {
    return this.#call("action", action, args[0]) as Promise<FunctionReturnType<A>>;
  }

  #call(kind: FunctionKind, reference: unknown, args: unknown): Promise<Value> {
    try {
      return this.#prepare(kind, reference, args)();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Checks the reference and encodes the arguments now (so a bad call fails before it is queued). */
  #prepare(kind: FunctionKind, reference: unknown, args: unknown): () => Promise<Value> {
    assertClientReference(reference, kind);
    const name = getFunctionName(reference);
    const encoded = encodeArgs(args);
    return async () => {
      const outcome = await this.#transport.call(kind, name, encoded, this.#token === undefined ? {} : { token: this.#token });
      this.#log.functionLines(kind, name, outcome.logLines);
      if (outcome.status === "success") return decodeValue(outcome.value, "result");
      if (kind !== "query") this.#log.functionFailed(kind, name, outcome.errorMessage);
      throw functionError(kind, name, outcome.errorMessage, outcome.errorData === undefined ? undefined : decodeValue(outcome.errorData));
    };
  }
}
