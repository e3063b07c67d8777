// A follower's mutations (and its actions' system writes): sent to the leader named in the
// leader row, with the shared node secret and the call's (sessionId, requestId), retried - to
// whichever node leads by then - until one answers. The leader's exactly-once record makes every
// retry after a lost answer return the original outcome. The answer is returned only once this
// node has applied the commit, so the caller's next read here shows its write (read-your-writes).

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ClusterNode } from "../db/cluster-node.js";
import { failure } from "../runtime/outcome.js";
import type { ForwardedMutation, MutationOutcome, MutationRoute } from "../runtime/runtime.js";
import { decodeOutcome, encodeForwarded, INTERNAL_MUTATION_PATH, NODE_SECRET_HEADER } from "./forwarded-wire.js";

export interface MutationForwarderOptions {
  node: ClusterNode;
  /** The shared node secret; without it a follower cannot forward (its mutations fail, saying so). */
  secret: string | undefined;
  /** Runs the mutation here, once this node has become the leader. */
  runLocal(call: ForwardedMutation): Promise<MutationOutcome>;
  /** How long a mutation keeps looking for a leader (ms, default 30,000). */
  timeoutMs?: number;
  /** One attempt's limit (ms, default 15,000): a paused leader must not hold the call forever. */
  attemptTimeoutMs?: number;
}

/** The answer of one attempt: an outcome, or why to try again. */
type Attempt = { outcome: MutationOutcome } | { retry: string };

/**
 * Routes mutations to the leader.
 *
 * @example
 * const route = new MutationForwarder({ node: db.cluster, secret, runLocal: (call) => runtime.mutation(...) });
 * const runtime = new Runtime(loaded, db, { storage, mutations: route });
 */
export class MutationForwarder implements MutationRoute {
  constructor(private readonly options: MutationForwarderOptions) {}

  isLocal(): boolean {
    return this.options.node.role === "leader";
  }

  async forward(call: ForwardedMutation): Promise<MutationOutcome> {
    const { node, secret } = this.options;
    if (secret === undefined || secret === "") {
      return failure(new Error("This node follows another and cannot forward mutations: give every node the same SYNCLINE_NODE_SECRET (startServer({ nodeSecret }))."), []);
    }
    const deadline = Date.now() + (this.options.timeoutMs ?? 30_000);
    const body = JSON.stringify(encodeForwarded(call));
    let why = "no leader yet";
    for (let delay = 25; ; delay = Math.min(delay * 2, 400)) {
      if (node.role === "leader") return this.options.runLocal(call);
      const attempt = await this.attempt(body, secret).catch((error: unknown): Attempt => ({ retry: (error as Error).message }));
      if ("outcome" in attempt) {
        const { outcome } = attempt;
        if (outcome.ok && outcome.ts !== undefined && !(await node.waitForApplied(outcome.ts, Math.max(deadline - Date.now(), 1_000)))) {
          return failure(new Error(`The mutation committed, but this node did not apply the commit within the time limit (it lags behind the leader).`), outcome.logLines);
        }
        return outcome;
      }
      why = attempt.retry;
      if (Date.now() + delay > deadline) return failure(new Error(`No leader took the mutation (${why}); retry it.`), []);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async attempt(body: string, secret: string): Promise<Attempt> {
    const leader = await this.options.node.leader();
    if (leader.address === "" || leader.nodeId === this.options.node.nodeId) return { retry: "the leader has not advertised its address yet" };
    const { status, text } = await post(new URL(INTERNAL_MUTATION_PATH, leader.address), body, secret, this.options.attemptTimeoutMs ?? 15_000);
    if (status === 200) return { outcome: decodeOutcome(JSON.parse(text)) };
    if (status === 503) return { retry: `${leader.nodeId} no longer leads` };
    // 401/403/400: a configuration error, not worth retrying.
    return { outcome: failure(new Error(`The leader refused the forwarded mutation (HTTP ${status}): ${text.slice(0, 300)}`), []) };
  }
}

/** POSTs JSON; rejects on a connection error or after `timeoutMs`. */
function post(url: URL, body: string, secret: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(url, { method: "POST", headers: { "content-type": "application/json", [NODE_SECRET_HEADER]: secret }, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`the leader did not answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}
