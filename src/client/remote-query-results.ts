// What the server said: the query results and state version of the current socket (protocol.md
// §4, §5). A transition either applies whole or not at one: one that does not start at the
// current version, or carries a value that does not decode, is a protocol violation and changes
// nothing.

import { decodeTimestamp } from "../protocol/timestamp.js";
import type { StateVersion, Transition } from "../protocol/messages.js";
import { isAppError } from "../values/app-error.js";
import type { JSONValue, Value } from "../values/value.js";
import { decodeFromServer } from "./decode.js";
import { functionError, ProtocolViolation } from "./errors.js";
import { errorResult, successResult, type QueryResult } from "./query-result.js";
import { equalValues, sameEncodedValue } from "./value-equality.js";

const ZERO_TS = "AAAAAAAAAAA=";

/**
 * Where the result of one query the client holds is kept. The client keeps it on the query's
 * record (one object per query instead of one more map entry: clients hold 10,000s of queries).
 */
export interface ResultSlot {
  readonly udfPath: string;
  serverResult: QueryResult<Value> | undefined;
}

/**
 * Server results by query id.
 *
 * Results outlive the socket they came on: after a reconnect the old results stay (and are shown)
 * until the new socket replaces them, and a replacement equal to the old result keeps the old
 * snapshot object - so a reconnect re-renders nothing that did not change.
 *
 * @example
 * const remote = new RemoteQueryResults((id) => querySet.byId(id));
 * const changed = remote.apply(transition); // query ids whose result changed
 */
export class RemoteQueryResults<S extends ResultSlot = ResultSlot> {
  /** The slot of a query the client holds, or undefined for one it let go of (results for those are ignored). */
  readonly #slotOf: (queryId: number) => S | undefined;
  #version: StateVersion = { querySet: 0, identity: 0, ts: ZERO_TS };
  #ts = 0n;

  constructor(slotOf: (queryId: number) => S | undefined) {
    this.#slotOf = slotOf;
  }

  /** The state version of this socket. */
  get version(): StateVersion {
    return this.#version;
  }

  /** `version.ts` as a number: every mutation committed at or before it is visible. */
  get ts(): bigint {
    return this.#ts;
  }

  get(queryId: number): QueryResult<Value> | undefined {
    return this.#slotOf(queryId)?.serverResult;
  }

  /**
   * Applies a transition; returns the slots of the queries whose result changed. Throws
   * ProtocolViolation (and changes nothing) when it does not chain or does not decode.
   */
  apply(transition: Transition): S[] {
    const start = transition.startVersion;
    const current = this.#version;
    if (start.querySet !== current.querySet || start.identity !== current.identity || start.ts !== current.ts) {
      throw new ProtocolViolation(
        `Transition starts at ${describe(start)} but the client is at ${describe(current)}; transitions must chain (protocol.md §5).`,
      );
    }
    let ts: bigint;
    try {
      ts = decodeTimestamp(transition.endVersion.ts);
    } catch (error) {
      throw new ProtocolViolation(`Transition endVersion.ts: ${(error as Error).message}`);
    }
    if (ts < this.#ts) throw new ProtocolViolation(`Transition goes back in time (ts ${ts} < ${this.#ts}).`);

    // Decode everything before changing anything.
    const staged: [S, QueryResult<Value> | undefined][] = [];
    for (const modification of transition.modifications) {
      const id = modification.queryId;
      const slot = this.#slotOf(id);
      if (slot === undefined) continue;
      const previous = slot.serverResult;
      if (modification.type === "QueryRemoved") {
        if (previous !== undefined) staged.push([slot, undefined]);
        continue;
      }
      const next = modification.type === "QueryUpdated" ? success(modification.value, previous) : failure(slot.udfPath, modification, previous);
      if (next !== previous) staged.push([slot, next]);
    }

    const changed: S[] = [];
    for (const [slot, result] of staged) {
      slot.serverResult = result;
      changed.push(slot);
    }
    this.#version = transition.endVersion;
    this.#ts = ts;
    return changed;
  }

  /** A new socket: versions start again at zero; results stay until replaced (see class comment). */
  restart(): void {
    this.#version = { querySet: 0, identity: 0, ts: ZERO_TS };
    this.#ts = 0n;
  }
}

function success(encoded: JSONValue, previous: QueryResult<Value> | undefined): QueryResult<Value> {
  if (previous?.status === "success" && sameEncodedValue(encoded, previous.value)) return previous;
  return successResult(decodeFromServer(encoded));
}

function failure(
  name: string,
  modification: { errorMessage: string; errorData?: JSONValue },
  previous: QueryResult<Value> | undefined,
): QueryResult<Value> {
  const data = modification.errorData === undefined ? undefined : decodeFromServer(modification.errorData);
  const error = functionError("query", name, modification.errorMessage, data);
  if (previous?.status === "error" && previous.error.message === error.message) {
    const previousData = isAppError(previous.error) ? previous.error.data : undefined;
    if (isAppError(previous.error) === (data !== undefined) && equalValues(previousData, data)) return previous;
  }
  return errorResult(error);
}

function describe(version: StateVersion): string {
  return `{querySet: ${version.querySet}, identity: ${version.identity}, ts: ${version.ts}}`;
}
