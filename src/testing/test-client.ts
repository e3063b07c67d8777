// `createTestClient`: a real `SynclineClient` whose server is the test. Components under test use
// it through the unchanged hooks; the test sets what each query returns (a value, an error, or
// loading) and sees and answers every mutation and action the component calls.

import { SynclineClient } from "../client/client.js";
import { encodeArgs } from "../client/query-token.js";
import type { SynclineClientOptions } from "../client/types.js";
import { getFunctionName, isFunctionReference, type FunctionArgs, type FunctionReference, type FunctionReturnType, type OptionalRestArgs } from "../functions/reference.js";
import { isAppError } from "../values/app-error.js";
import { encodeValue } from "../values/encoding.js";
import type { Value } from "../values/value.js";
import { ClientSideSocket } from "./in-memory-socket.js";
import { ScriptedBackend, type CallHandler, type RecordedCall } from "./scripted-backend.js";

export type { RecordedCall, CallHandler } from "./scripted-backend.js";

export interface TestClientOptions extends Omit<SynclineClientOptions, "WebSocket"> {
  /**
   * How calls without a handler are answered: `"auto"` (default) resolves them at once with
   * `defaultResult`; `"manual"` leaves them pending until the test calls `resolve` or `reject` on
   * the recorded call (to see a component's pending state, or an optimistic update).
   */
  answer?: "auto" | "manual";
  /** What auto-answered mutations and actions resolve with (default null). */
  defaultResult?: Value;
}

/** A recorded call with its arguments typed by the reference. */
export interface TestCall<R extends FunctionReference> extends RecordedCall {
  readonly args: FunctionArgs<R> & Record<string, Value>;
  resolve(value?: FunctionReturnType<R> & Value): void;
}

type Reference = FunctionReference;

/**
 * A client for component tests, with no server: results are what the test sets.
 *
 * @example
 * const client = createTestClient();
 * client.setQueryResult(api.messages.list, { room: "a" }, [{ _id: "1", body: "hi" }]);
 * render(<SynclineTestProvider client={client}><Chat room="a" /></SynclineTestProvider>);
 * await screen.findByText("hi");
 */
export class TestClient extends SynclineClient {
  readonly #backend: ScriptedBackend;

  /** @internal Use `createTestClient()`. */
  constructor(backend: ScriptedBackend, options: Omit<TestClientOptions, "answer" | "defaultResult">) {
    class TestSocket extends ClientSideSocket {
      constructor(url: string) {
        super(url, (server) => backend.accept(server));
      }
    }
    super("http://syncline.test", { unsavedChangesWarning: false, logger: false, ...options, WebSocket: TestSocket });
    this.#backend = backend;
  }

  /**
   * Sets what `query` with `args` returns, now and until set again; components showing it
   * re-render at once.
   *
   * @example
   * client.setQueryResult(api.messages.list, { room: "a" }, []);
   */
  setQueryResult<Q extends FunctionReference<"query">>(query: Q, args: FunctionArgs<Q>, value: FunctionReturnType<Q>): void {
    this.#backend.setResult(nameOf(query), encodeArgs(args), { kind: "value", encoded: encodeValue(value as Value, "result") });
  }

  /**
   * Makes `query` with `args` fail with `error` (an `AppError` keeps its data): `useQuery` throws
   * it to the nearest error boundary, `useQueryState` reports it.
   *
   * @example
   * client.setQueryError(api.messages.list, { room: "a" }, new AppError({ code: "FORBIDDEN" }, "Not your room"));
   */
  setQueryError<Q extends FunctionReference<"query">>(query: Q, args: FunctionArgs<Q>, error: Error): void {
    const data = isAppError(error) ? encodeValue(error.data, "data") : undefined;
    this.#backend.setResult(nameOf(query), encodeArgs(args), { kind: "error", message: error.message, data });
  }

  /**
   * Makes `query` with `args` loading again (as it is before any result is set).
   *
   * @example
   * client.setQueryLoading(api.messages.list, { room: "a" });
   */
  setQueryLoading<Q extends FunctionReference<"query">>(query: Q, ...args: OptionalRestArgs<Q>): void {
    this.#backend.setResult(nameOf(query), encodeArgs(args[0]), undefined);
  }

  /**
   * The calls of `mutation` the client made, oldest first, each with its arguments and status;
   * a pending one can be answered with `resolve(value)` or `reject(error)`.
   *
   * @example
   * expect(client.mutationCalls(api.messages.send)).toMatchObject([{ args: { room: "a", body: "hi" } }]);
   */
  mutationCalls<M extends FunctionReference<"mutation">>(mutation: M): TestCall<M>[] {
    return this.#callsOf("mutation", mutation) as TestCall<M>[];
  }

  /**
   * The calls of `action` the client made, oldest first (see `mutationCalls`).
   *
   * @example
   * client.actionCalls(api.summaries.summarize)[0]!.resolve("A short summary.");
   */
  actionCalls<A extends FunctionReference<"action">>(action: A): TestCall<A>[] {
    return this.#callsOf("action", action) as TestCall<A>[];
  }

  /**
   * The call number `index` (0: the first) of `mutation`, once the client made it: a component
   * calls a mutation from an event handler, and the request reaches the test a moment later.
   *
   * @example
   * fireEvent.click(screen.getByText("Send"));
   * const call = await client.waitForMutationCall(api.messages.send);
   * call.resolve("id-1");
   */
  waitForMutationCall<M extends FunctionReference<"mutation">>(mutation: M, index = 0): Promise<TestCall<M>> {
    return this.#backend.waitForCall(() => this.#callsOf("mutation", mutation)[index]) as Promise<TestCall<M>>;
  }

  /**
   * The call number `index` (0: the first) of `action`, once the client made it (see `waitForMutationCall`).
   *
   * @example
   * const call = await client.waitForActionCall(api.summaries.summarize);
   */
  waitForActionCall<A extends FunctionReference<"action">>(action: A, index = 0): Promise<TestCall<A>> {
    return this.#backend.waitForCall(() => this.#callsOf("action", action)[index]) as Promise<TestCall<A>>;
  }

  /**
   * Answers every later call of `mutation` with `handler`: its return value resolves the call,
   * a throw rejects it (an `AppError` keeps its data). `undefined` removes the handler.
   *
   * @example
   * client.onMutation(api.messages.send, ({ body }) => {
   *   if (body === "") throw new AppError({ code: "EMPTY" }, "A message needs some text.");
   *   return "message-id-1";
   * });
   */
  onMutation<M extends FunctionReference<"mutation">>(mutation: M, handler: ((args: FunctionArgs<M>) => FunctionReturnType<M> | Promise<FunctionReturnType<M>>) | undefined): void {
    this.#backend.setHandler(nameOf(mutation), handler as CallHandler | undefined);
  }

  /**
   * Answers every later call of `action` with `handler` (see `onMutation`).
   *
   * @example
   * client.onAction(api.summaries.summarize, async ({ room }) => `Summary of ${room}`);
   */
  onAction<A extends FunctionReference<"action">>(action: A, handler: ((args: FunctionArgs<A>) => FunctionReturnType<A> | Promise<FunctionReturnType<A>>) | undefined): void {
    this.#backend.setHandler(nameOf(action), handler as CallHandler | undefined);
  }

  /**
   * Closes the client once the answers already given have reached it: a call answered just
   * before resolves; only calls still pending reject (`CLIENT_CLOSED`).
   *
   * @example
   * afterEach(() => client.close());
   */
  override async close(): Promise<void> {
    await this.#backend.drained();
    await super.close();
  }

  #callsOf(kind: "mutation" | "action", reference: Reference): RecordedCall[] {
    const name = nameOf(reference);
    return this.#backend.calls.filter((call) => call.kind === kind && call.name === name);
  }
}

function nameOf(reference: unknown): string {
  if (!isFunctionReference(reference)) throw new TypeError("Expected a function reference such as api.messages.list.");
  return getFunctionName(reference);
}

/**
 * A client for component tests whose query results the test sets by hand and whose mutations
 * and actions it records and answers. Pass it to `<SynclineTestProvider client={client}>` (or any
 * `SynclineProvider`): the hooks use it as they use a real client.
 *
 * @example
 * const client = createTestClient({ answer: "manual" });
 * render(<SynclineTestProvider client={client}><SendButton /></SynclineTestProvider>);
 * await user.click(screen.getByRole("button"));
 * client.mutationCalls(api.messages.send)[0]!.resolve("id-1");
 */
export function createTestClient(options: TestClientOptions = {}): TestClient {
  const { answer = "auto", defaultResult = null, ...clientOptions } = options;
  return new TestClient(new ScriptedBackend({ answer, defaultResult }), clientOptions);
}
