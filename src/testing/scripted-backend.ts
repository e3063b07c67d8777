// The server side of `createTestClient`: speaks the sync protocol to one real client over an
// in-memory socket, but answers from what the test set instead of running functions. Query
// results are set by hand (value, error or loading) and pushed to the client at once; mutations
// and actions are recorded and answered by a handler, by the test, or with a default result.

import type { ClientMessage, MutationRequest, ActionRequest, ModifyQuerySet, ServerMessage, StateModification, StateVersion } from "../protocol/messages.js";
import { encodeTimestamp } from "../protocol/timestamp.js";
import { isAppError } from "../values/app-error.js";
import { decodeValue, encodeValue } from "../values/encoding.js";
import type { JSONValue, Value } from "../values/value.js";
import { queryToken, type QueryToken } from "../client/query-token.js";
import type { ServerSideSocket } from "./in-memory-socket.js";

/** What the test set for one query (function and arguments). */
export type HandSetResult = { readonly kind: "value"; readonly encoded: JSONValue } | { readonly kind: "error"; readonly message: string; readonly data: JSONValue | undefined };

/** One call of a mutation or action the client made. */
export interface RecordedCall {
  readonly kind: "mutation" | "action";
  readonly name: string;
  readonly args: Record<string, Value>;
  /** "pending" until answered; then how it was answered. */
  status: "pending" | "resolved" | "rejected";
  /** The value it resolved with, or the error it rejected with. */
  outcome: { value: Value } | { error: Error } | undefined;
  /** Answers the call with `value` (default null). Throws when it was answered already. */
  resolve(value?: Value): void;
  /** Answers the call with a failure: an `AppError` keeps its data. Throws when it was answered already. */
  reject(error: Error): void;
}

/** Answers a call: returns its result (or a promise of it) or throws to make it fail. */
export type CallHandler = (args: Record<string, Value>) => Value | void | Promise<Value | void>;

export interface ScriptedBackendOptions {
  /** Answer calls without a handler at once with `defaultResult` (default), or leave them pending for the test. */
  answer: "auto" | "manual";
  defaultResult: Value;
}

/** The protocol server of one test client (it reconnects to the same backend). */
export class ScriptedBackend {
  readonly #options: ScriptedBackendOptions;
  readonly #results = new Map<QueryToken, HandSetResult>();
  readonly #handlers = new Map<string, CallHandler>();
  readonly calls: RecordedCall[] = [];
  /** Waiting for more calls (`waitForMutationCall`): told after every recorded call. */
  readonly #callListeners = new Set<() => void>();
  /** The socket now connected, and the client's queries on it (id -> token). */
  #socket: ServerSideSocket | undefined;
  readonly #queries = new Map<number, QueryToken>();
  #version: StateVersion = { querySet: 0, identity: 0, ts: encodeTimestamp(0n) };
  #ts = 0n;

  constructor(options: ScriptedBackendOptions) {
    this.#options = options;
  }

  /** A new socket of the client: the session starts over, as on a server. */
  accept(socket: ServerSideSocket): void {
    this.#socket = socket;
    this.#queries.clear();
    this.#version = { querySet: 0, identity: 0, ts: encodeTimestamp(0n) };
    socket.on("message", (data: string) => this.#receive(socket, JSON.parse(data) as ClientMessage));
    socket.once("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
  }

  /** Sets (or with undefined, clears to loading) the result of `name` with `encodedArgs`, and tells the client. */
  setResult(name: string, encodedArgs: JSONValue, result: HandSetResult | undefined): void {
    const token = queryToken(name, encodedArgs);
    if (result === undefined) this.#results.delete(token);
    else this.#results.set(token, result);
    const modifications: StateModification[] = [];
    for (const [queryId, held] of this.#queries) if (held === token) modifications.push(this.#modification(queryId, token));
    if (modifications.length > 0) this.#transition({ ts: ++this.#ts }, modifications);
  }

  /** Resolves once every answer and result sent so far has reached the client. */
  async drained(): Promise<void> {
    await this.#socket?.drained();
  }

  /** Answers calls of `name` with `handler` from now on (undefined: back to the default). */
  setHandler(name: string, handler: CallHandler | undefined): void {
    if (handler === undefined) this.#handlers.delete(name);
    else this.#handlers.set(name, handler);
  }

  /** Resolves with the first call `pick` accepts, now or when it is made. */
  waitForCall(pick: () => RecordedCall | undefined): Promise<RecordedCall> {
    const found = pick();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = () => {
        const call = pick();
        if (call === undefined) return;
        this.#callListeners.delete(listener);
        resolve(call);
      };
      this.#callListeners.add(listener);
    });
  }

  #receive(socket: ServerSideSocket, message: ClientMessage): void {
    if (socket !== this.#socket) return;
    switch (message.type) {
      case "ModifyQuerySet":
        return this.#modifyQuerySet(message);
      case "Mutation":
      case "Action":
        return this.#call(message);
      case "Authenticate":
        // Every token is welcome here: the identity version moves on as a server's would.
        return this.#transition({ identity: message.baseVersion + 1 }, []);
      default:
        return; // Connect, Event: nothing to answer
    }
  }

  #modifyQuerySet(message: ModifyQuerySet): void {
    const modifications: StateModification[] = [];
    for (const change of message.modifications) {
      if (change.type === "Add") {
        const token = queryToken(change.udfPath, change.args[0]);
        this.#queries.set(change.queryId, token);
        if (this.#results.has(token)) modifications.push(this.#modification(change.queryId, token));
      } else {
        this.#queries.delete(change.queryId);
        modifications.push({ type: "QueryRemoved", queryId: change.queryId });
      }
    }
    this.#transition({ querySet: message.newVersion }, modifications);
  }

  /** The client's view of `token` for query `queryId`: its result, or loading (removed). */
  #modification(queryId: number, token: QueryToken): StateModification {
    const result = this.#results.get(token);
    if (result === undefined) return { type: "QueryRemoved", queryId };
    if (result.kind === "value") return { type: "QueryUpdated", queryId, value: result.encoded, logLines: [], journal: null };
    return { type: "QueryFailed", queryId, errorMessage: result.message, logLines: [], journal: null, ...(result.data !== undefined ? { errorData: result.data } : {}) };
  }

  #call(request: MutationRequest | ActionRequest): void {
    const socket = this.#socket;
    const kind = request.type === "Mutation" ? "mutation" : "action";
    const call: RecordedCall = {
      kind,
      name: request.udfPath,
      args: decodeValue(request.args[0] ?? {}) as Record<string, Value>,
      status: "pending",
      outcome: undefined,
      resolve: (value: Value = null) => {
        settle({ value });
        this.#answer(socket, request, { ok: true, value });
      },
      reject: (error: Error) => {
        settle({ error });
        this.#answer(socket, request, { ok: false, error });
      },
    };
    const settle = (outcome: { value: Value } | { error: Error }) => {
      if (call.status !== "pending") throw new Error(`This call of ${call.name} was answered already (${call.status}).`);
      call.status = "value" in outcome ? "resolved" : "rejected";
      call.outcome = outcome;
    };
    this.calls.push(call);
    for (const listener of [...this.#callListeners]) listener();
    const handler = this.#handlers.get(request.udfPath);
    if (handler !== undefined) {
      // A handler answers asynchronously, like a server: the client has sent its request by then.
      void (async () => {
        try {
          const value = await handler(call.args);
          if (call.status === "pending") call.resolve(value ?? null);
        } catch (error) {
          if (call.status === "pending") call.reject(error instanceof Error ? error : new Error(String(error)));
        }
      })();
    } else if (this.#options.answer === "auto") {
      call.resolve(this.#options.defaultResult);
    }
  }

  #answer(socket: ServerSideSocket | undefined, request: MutationRequest | ActionRequest, outcome: { ok: true; value: Value } | { ok: false; error: Error }): void {
    // A call made on a socket that has closed since cannot be answered (the client settled it).
    if (socket === undefined || socket !== this.#socket) return;
    const base = { requestId: request.requestId, logLines: [] };
    let message: ServerMessage;
    if (outcome.ok) {
      const result = encodeValue(outcome.value, "result");
      message = request.type === "Mutation" ? { type: "MutationResponse", ...base, success: true, result, ts: encodeTimestamp(++this.#ts) } : { type: "ActionResponse", ...base, success: true, result };
    } else {
      const errorData = isAppError(outcome.error) ? encodeValue(outcome.error.data, "data") : undefined;
      message = { type: request.type === "Mutation" ? "MutationResponse" : "ActionResponse", ...base, success: false, result: outcome.error.message, ...(errorData !== undefined ? { errorData } : {}) };
    }
    socket.send(JSON.stringify(message));
    // A mutation is visible once a transition reaches its commit: send one (read-your-writes).
    if (outcome.ok && request.type === "Mutation") this.#transition({ ts: this.#ts }, []);
  }

  #transition(change: { querySet?: number; identity?: number; ts?: bigint }, modifications: StateModification[]): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    const startVersion = this.#version;
    const endVersion: StateVersion = {
      querySet: change.querySet ?? startVersion.querySet,
      identity: change.identity ?? startVersion.identity,
      ts: change.ts === undefined ? startVersion.ts : encodeTimestamp(change.ts),
    };
    this.#version = endVersion;
    socket.send(JSON.stringify({ type: "Transition", startVersion, endVersion, modifications } satisfies ServerMessage));
  }
}
