// What is in flight: mutations and actions from the moment they are called until they settle
// (protocol.md §6, §7, §8). Mutations settle only once their commit is visible; on a new socket
// unconfirmed mutations are resent under their original requestId and actions that were already
// sent are failed, because actions are not idempotent.

import type { ActionRequest, ActionResponse, MutationRequest, MutationResponse } from "../protocol/messages.js";
import { decodeTimestamp } from "../protocol/timestamp.js";
import type { Value } from "../values/value.js";
import { decodeFromServer } from "./decode.js";
import { ProtocolViolation } from "./errors.js";

/** How a request ended, as the server said it. */
export type RequestOutcome = { ok: true; value: Value } | { ok: false; message: string; errorData?: Value };

/**
 * - `unsent`: waiting for a socket;
 * - `sent`: on the current socket, no response yet;
 * - `committed`: a mutation the server committed at `ts`, waiting for a transition that shows it.
 */
export type RequestState = "unsent" | "sent" | "committed";

export interface PendingRequest {
  readonly message: MutationRequest | ActionRequest;
  readonly kind: "mutation" | "action";
  /** Date.now() when it was called. */
  readonly calledAt: number;
  state: RequestState;
  /** The commit timestamp, once committed. */
  ts?: bigint;
  /** The result, once committed (delivered when visible). */
  outcome?: RequestOutcome;
  /** Sent on a socket that has since closed and not yet settled: it holds back "caught up". */
  fromBeforeRestart: boolean;
}

/** What a response did. */
export type ResponseEffect =
  | { type: "ignored" }
  /** Settle now (an action, or a failed mutation). */
  | { type: "settled"; request: PendingRequest; outcome: RequestOutcome }
  /** A mutation committed; it settles once `ts` is visible. */
  | { type: "committed"; request: PendingRequest; ts: bigint };

/**
 * The requests in flight, by requestId.
 *
 * @example
 * const queue = new RequestQueue();
 * queue.add({ type: "Mutation", requestId: 0, udfPath: "messages:send", args: [{}] });
 * queue.markSent(0);
 * queue.onResponse(response); // { type: "committed", ts }
 * queue.takeVisible(remote.ts); // the mutations to resolve now
 */
export class RequestQueue {
  /** Insertion order is requestId order: ids come from one increasing counter. */
  readonly #requests = new Map<number, PendingRequest>();

  get size(): number {
    return this.#requests.size;
  }

  get(requestId: number): PendingRequest | undefined {
    return this.#requests.get(requestId);
  }

  add(message: MutationRequest | ActionRequest): PendingRequest {
    const request: PendingRequest = {
      message,
      kind: message.type === "Mutation" ? "mutation" : "action",
      calledAt: Date.now(),
      state: "unsent",
      fromBeforeRestart: false,
    };
    this.#requests.set(message.requestId, request);
    return request;
  }

  markSent(requestId: number): void {
    const request = this.#requests.get(requestId);
    if (request?.state === "unsent") request.state = "sent";
  }

  /** The messages still waiting for a socket, in requestId order. */
  unsent(): (MutationRequest | ActionRequest)[] {
    const out: (MutationRequest | ActionRequest)[] = [];
    for (const request of this.#requests.values()) if (request.state === "unsent") out.push(request.message);
    return out;
  }

  /**
   * Handles a response. A response for a request that is not pending, or a repeated success for
   * a mutation already committed, is ignored (§8: duplicates happen after a resend).
   */
  onResponse(response: MutationResponse | ActionResponse): ResponseEffect {
    const request = this.#requests.get(response.requestId);
    const expected = response.type === "MutationResponse" ? "mutation" : "action";
    if (request === undefined || request.kind !== expected || request.state === "committed") return { type: "ignored" };
    // Decode first: a response that does not decode leaves the request pending, to be settled by
    // a resend on the next socket (the client reconnects) or by close().
    if (!response.success) {
      const errorData = response.errorData === undefined ? undefined : decodeFromServer(response.errorData);
      this.#requests.delete(response.requestId);
      return { type: "settled", request, outcome: { ok: false, message: response.result, ...(errorData !== undefined ? { errorData } : {}) } };
    }
    const outcome: RequestOutcome = { ok: true, value: decodeFromServer(response.result) };
    if (response.type === "ActionResponse") {
      this.#requests.delete(response.requestId);
      return { type: "settled", request, outcome };
    }
    let ts: bigint;
    try {
      ts = decodeTimestamp(response.ts);
    } catch (error) {
      throw new ProtocolViolation(`MutationResponse ts: ${(error as Error).message}`);
    }
    request.state = "committed";
    request.ts = ts;
    request.outcome = outcome;
    return { type: "committed", request, ts };
  }

  /** Removes and returns the committed mutations visible at `ts` (§7), in requestId order. */
  takeVisible(ts: bigint): PendingRequest[] {
    const visible: PendingRequest[] = [];
    for (const [requestId, request] of this.#requests) {
      if (request.state === "committed" && request.ts! <= ts) {
        visible.push(request);
        this.#requests.delete(requestId);
      }
    }
    return visible;
  }

  /**
   * The socket closed: actions sent on it can no longer be answered (and are never resent, since
   * they are not idempotent). Removes and returns them; they must be failed.
   */
  onSocketClosed(): PendingRequest[] {
    const lost: PendingRequest[] = [];
    for (const [requestId, request] of this.#requests) {
      if (request.kind === "action" && request.state === "sent") {
        this.#requests.delete(requestId);
        lost.push(request);
      }
    }
    return lost;
  }

  /**
   * A new socket opened. Returns, in requestId order, the messages to send on it: every mutation
   * not yet visible, under its original requestId, and the actions never sent (§6). Actions
   * still marked sent (normally failed already by `onSocketClosed`) are removed and returned as lost.
   */
  restart(): { resend: (MutationRequest | ActionRequest)[]; lost: PendingRequest[] } {
    const lost = this.onSocketClosed();
    const resend: (MutationRequest | ActionRequest)[] = [];
    for (const request of this.#requests.values()) {
      request.fromBeforeRestart = request.state !== "unsent";
      // A committed mutation is resent too: the server answers from its record (§8) and the
      // repeated response is ignored; it settles when the new socket shows its ts.
      if (request.state !== "committed") request.state = "sent";
      resend.push(request.message);
    }
    return { resend, lost };
  }

  /** Every request resent by the last restart has settled. */
  get caughtUp(): boolean {
    for (const request of this.#requests.values()) if (request.fromBeforeRestart) return false;
    return true;
  }

  /** Removes and returns everything (the client is closing). */
  takeAll(): PendingRequest[] {
    const all = [...this.#requests.values()];
    this.#requests.clear();
    return all;
  }

  /** Mutations the server has not committed yet: leaving the page now could lose them. */
  get hasUncommittedMutations(): boolean {
    for (const request of this.#requests.values()) if (request.kind === "mutation" && request.state !== "committed") return true;
    return false;
  }

  /** Counts for the connection state. */
  stats(): { mutations: number; actions: number; oldestCalledAt: number | null } {
    let mutations = 0;
    let actions = 0;
    let oldestCalledAt: number | null = null;
    for (const request of this.#requests.values()) {
      if (request.kind === "mutation") mutations++;
      else actions++;
      if (oldestCalledAt === null || request.calledAt < oldestCalledAt) oldestCalledAt = request.calledAt;
    }
    return { mutations, actions, oldestCalledAt };
  }

  values(): IterableIterator<PendingRequest> {
    return this.#requests.values();
  }
}
