// The mutations and actions of one socket (protocol.md §7): mutations in arrival order, exactly
// once (idempotency records), actions concurrently; each answered with its response message.
//
// A mutation starts as soon as the one before it is in the database's write queue, not when that
// one is answered: the database runs queued transactions in order, so the next one still runs
// after it and sees its writes, but both can share one group commit instead of each waiting for
// the other's flush. Answers go out in arrival order, each once its commit is durable.

import { canonicalizeName } from "../../functions/names.js";
import type { ActionRequest, MutationRequest, ServerMessage } from "../../protocol/messages.js";
import { encodeTimestamp } from "../../protocol/timestamp.js";
import { decodeValue } from "../../values/encoding.js";
import { argumentsTooLarge, LIMITS } from "../../values/limits.js";
import type { JSONValue, Value } from "../../values/value.js";
import type { Timestamp } from "../db/types.js";
import { logOutcome, type ServerLogger } from "../logger.js";
import { failure, forClient, wireErrorData, wireValue, type Outcome } from "../runtime/outcome.js";
import type { Caller, MutationOutcome, Runtime } from "../runtime/runtime.js";
import { ArgumentValidationError } from "../runtime/validation.js";
import { idempotencyFor } from "./mutation-records.js";

/** What the requests need from their session. */
export interface RequestHost {
  runtime(): Runtime;
  /** Who is calling now (an Authenticate changes it for the requests that arrive after it). */
  caller(): Caller;
  sessionId(): string;
  prod: boolean;
  logger: ServerLogger;
  send(message: ServerMessage): void;
  /** A mutation committed at `ts` and its response was sent: a transition must follow. */
  committed(ts: Timestamp): void;
  isClosed(): boolean;
  /** A mutation or action finished (answered, or dropped with its socket): a drain may be done. */
  settled(): void;
  /** Stop reading the socket (too many requests in flight) / read it again. */
  pauseReading(): void;
  resumeReading(): void;
}

/** A started mutation's place in the answer order; `settled` once its outcome is known. */
interface Answer {
  message: MutationRequest;
  settled: boolean;
  /** Undefined when running it failed with a bug of ours (logged; nothing to send). */
  outcome: MutationOutcome | undefined;
}

interface Queued {
  message: MutationRequest;
  frameLength: number;
  /** Who sent it: a mutation runs as the identity in force when it arrived, not when its turn came. */
  caller: Caller;
}

/**
 * Backpressure: with this many mutations waiting and actions running, the socket is not read
 * until one finishes - a client sending faster than the server commits is slowed down by TCP
 * instead of growing a queue (`startServer({ maxRequestsInFlightPerSocket })`).
 */
export const DEFAULT_MAX_REQUESTS_IN_FLIGHT = 64;

export class SessionRequests {
  readonly #host: RequestHost;
  readonly #maxInFlight: number;
  /** Mutations not started yet. */
  readonly #mutations: Queued[] = [];
  /** Started and not answered yet. */
  #mutationsRunning = 0;
  /** The last started mutation is not in the write queue yet: the next must wait for it. */
  #waitingForQueue = false;
  /** Inside #startMutations (a mutation queued synchronously lets the loop go on, no recursion). */
  #starting = false;
  /** Started mutations in arrival order, each answered once it and every one before it settled. */
  readonly #answers: Answer[] = [];
  #actionsRunning = 0;
  #paused = false;

  constructor(host: RequestHost, maxInFlight: number = DEFAULT_MAX_REQUESTS_IN_FLIGHT) {
    this.#host = host;
    this.#maxInFlight = maxInFlight;
  }

  /** Queues a mutation. */
  enqueueMutation(message: MutationRequest, frameLength: number): void {
    this.#mutations.push({ message, frameLength, caller: this.#host.caller() });
    this.#checkPressure();
    this.#startMutations();
  }

  /** Drops every mutation not started yet (the socket is gone; the client resends them). */
  clear(): void {
    this.#mutations.length = 0;
  }

  get #inFlight(): number {
    return this.#mutations.length + this.#mutationsRunning + this.#actionsRunning;
  }

  /** True while a mutation waits or runs, or an action runs. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Pauses reading at the limit, resumes below it. */
  #checkPressure(): void {
    const full = this.#inFlight >= this.#maxInFlight;
    if (full === this.#paused || this.#host.isClosed()) return;
    this.#paused = full;
    if (full) this.#host.pauseReading();
    else this.#host.resumeReading();
  }

  /** Runs an action now, concurrently with everything else. */
  async runAction(message: ActionRequest, frameLength: number): Promise<void> {
    this.#actionsRunning++;
    this.#checkPressure();
    try {
      await this.#runAction(message, frameLength);
    } finally {
      this.#actionsRunning--;
      this.#checkPressure();
      this.#host.settled();
    }
  }

  async #runAction(message: ActionRequest, frameLength: number): Promise<void> {
    const host = this.#host;
    const outcome = await this.#call(message.udfPath, message.args[0], frameLength, (name, args) => host.runtime().action(name, args, host.caller()));
    this.#report("action", message.udfPath, outcome);
    const visible = forClient(outcome, host.prod);
    host.send(
      visible.ok
        ? { type: "ActionResponse", requestId: message.requestId, success: true, result: wireValue(visible), logLines: visible.logLines }
        : { type: "ActionResponse", requestId: message.requestId, success: false, result: visible.message, logLines: visible.logLines, ...errorData(visible) },
    );
  }

  /** Starts queued mutations in order, each once the one before it is in the write queue. */
  #startMutations(): void {
    if (this.#starting) return; // called back from a mutation queued synchronously: the loop below goes on
    this.#starting = true;
    try {
      while (!this.#waitingForQueue && this.#mutations.length > 0 && !this.#host.isClosed()) {
        this.#startMutation(this.#mutations.shift()!);
      }
    } finally {
      this.#starting = false;
    }
  }

  #startMutation(queued: Queued): void {
    const host = this.#host;
    const { message, frameLength, caller } = queued;
    this.#mutationsRunning++;
    this.#waitingForQueue = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#waitingForQueue = false;
      this.#startMutations();
    };
    const answer: Answer = { message, settled: false, outcome: undefined };
    this.#answers.push(answer);
    const settle = (outcome: MutationOutcome | undefined) => {
      answer.settled = true;
      answer.outcome = outcome;
      release(); // (failed before it was queued: the next may start now)
      this.#sendAnswers();
    };
    const args = this.#arguments(message.udfPath, message.args[0], frameLength);
    // Bad arguments settle a turn later like any outcome (the next mutation must not start first).
    let running: Promise<MutationOutcome | Outcome>;
    try {
      running = args.ok
        ? host.runtime().mutation(message.udfPath, args.value, caller, idempotencyFor(host.sessionId(), message.requestId), release)
        : Promise.resolve(args.failure);
    } catch (error) {
      running = Promise.reject(error); // (a bug of ours: handled like a rejection below)
    }
    running.then(settle, (error: unknown) => {
      // A bug of ours, not of the function (those are outcomes): logged, never an unhandled
      // rejection (it would end the process), and the queue goes on.
      host.logger.error(`Sync session error running ${message.udfPath}: ${(error as Error).stack ?? String(error)}`);
      settle(undefined);
    });
  }

  /** Sends the answers whose turn came: every mutation before them is answered. */
  #sendAnswers(): void {
    while (this.#answers.length > 0 && this.#answers[0]!.settled) {
      const { message, outcome } = this.#answers.shift()!;
      this.#mutationsRunning--;
      if (outcome === undefined) continue;
      try {
        this.#answer(message, outcome);
      } catch (error) {
        this.#host.logger.error(`Sync session error answering ${message.udfPath}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    this.#checkPressure();
    this.#host.settled();
  }

  /** Answers a mutation whose turn came (every earlier one was answered). */
  #answer(message: MutationRequest, outcome: MutationOutcome): void {
    const host = this.#host;
    this.#report("mutation", message.udfPath, outcome);
    const visible = forClient(outcome, host.prod);
    if (visible.ok && outcome.ts !== undefined) {
      host.send({
        type: "MutationResponse",
        requestId: message.requestId,
        success: true,
        result: wireValue(visible),
        ts: encodeTimestamp(outcome.ts),
        logLines: visible.logLines,
      });
      host.committed(outcome.ts);
    } else if (!visible.ok) {
      host.send({ type: "MutationResponse", requestId: message.requestId, success: false, result: visible.message, logLines: visible.logLines, ...errorData(visible) });
    }
  }

  /** Decodes arguments (bad ones fail the call, not the socket) and runs the call. */
  async #call<T extends Outcome>(udfPath: string, encoded: JSONValue, frameLength: number, run: (name: string, args: Value) => Promise<T>): Promise<Outcome | T> {
    const args = this.#arguments(udfPath, encoded, frameLength);
    return args.ok ? run(udfPath, args.value) : args.failure;
  }

  /**
   * The decoded arguments of a call, or the outcome that fails it. Synchronous: a mutation's
   * path takes no promise of its own for them.
   */
  #arguments(udfPath: string, encoded: JSONValue, frameLength: number): { ok: true; value: Value } | { ok: false; failure: Outcome } {
    try {
      // The arguments are part of the frame: only a frame past the limit needs measuring them.
      if (frameLength * 3 > LIMITS.maxArgumentBytes && argumentsTooLarge(JSON.stringify(encoded))) {
        throw new Error(`Arguments of ${udfPath} are larger than the limit of ${LIMITS.maxArgumentBytes} bytes (16 MiB).`);
      }
      return { ok: true, value: decodeValue(encoded, "args") };
    } catch (error) {
      // Bad arguments, not a throw in user code: the message as is (like a query's QueryFailed).
      return { ok: false, failure: failure(new ArgumentValidationError((error as Error).message), []) };
    }
  }

  #report(kind: "mutation" | "action", name: string, outcome: Outcome): void {
    // Most calls log nothing: their name is not canonicalized (three strings) for nothing.
    if (outcome.ok && outcome.logLines.length === 0) return;
    logOutcome(this.#host.logger, kind, canonicalizeName(name), outcome);
  }
}

function errorData(outcome: Outcome & { ok: false }): { errorData?: JSONValue } {
  const encoded = wireErrorData(outcome);
  return encoded !== undefined ? { errorData: encoded } : {};
}
