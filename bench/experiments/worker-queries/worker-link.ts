// The main thread's end of the query worker: requests answered in order, and the batches a run
// streams back delivered to whoever started that run.

import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./messages.js";
import type { PackedBatch } from "./outcome-transfer.js";

export class WorkerLink {
  readonly #worker: Worker;
  /** Waiters for the next non-batch message, oldest first: the worker answers in order. */
  readonly #waiters: { resolve: (message: FromWorker) => void; reject: (error: Error) => void }[] = [];
  /** Where the current run's batches go. */
  onBatch: (batch: PackedBatch) => void = () => {
    throw new Error("a batch arrived outside a run");
  };

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: FromWorker) => {
      if (message.op === "batch") return this.onBatch(message.batch);
      if (message.op === "error") return this.#failAll(new Error(`query worker: ${message.error}`));
      this.#waiters.shift()?.resolve(message);
    });
    worker.on("error", (error) => this.#failAll(error));
  }

  /**
   * Starts the worker file and waits for it to listen.
   *
   * @example
   * const link = await WorkerLink.start("/path/to/query-worker.mjs");
   */
  static async start(file: string): Promise<WorkerLink> {
    const link = new WorkerLink(new Worker(file));
    await link.#next();
    return link;
  }

  /**
   * Posts `message` and resolves with the worker's next answer that is not a batch.
   *
   * @example
   * const { ms } = (await link.request({ op: "cpu" })) as { op: "cpu"; ms: number };
   */
  request(message: ToWorker): Promise<FromWorker> {
    const answer = this.#next();
    this.#worker.postMessage(message);
    return answer;
  }

  /** The worker thread's CPU clock (ms) after it cleared its cache and collected garbage. */
  async prepare(): Promise<number> {
    const answer = await this.request({ op: "prepare" });
    if (answer.op !== "cpu") throw new Error(`expected cpu, got ${answer.op}`);
    return answer.ms;
  }

  /** Closes the worker's server and ends the thread. */
  async close(): Promise<void> {
    await this.request({ op: "close" });
    await this.#worker.terminate();
  }

  #next(): Promise<FromWorker> {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
