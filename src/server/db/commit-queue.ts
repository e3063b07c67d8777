// Group commit: write jobs queue up and are handed out in batches, one batch at a time. Every
// transaction of a batch runs in one SQLite transaction with one COMMIT, and one flush of the log
// makes the batch durable, so many concurrent writers share the cost of durability. Exclusive
// jobs (schema changes) run alone.

/** A queued unit of work. */
export interface QueuedJob {
  /** Runs in a batch of its own. */
  readonly exclusive: boolean;
}

/**
 * Serializes batches of jobs.
 *
 * @example
 * const queue = new CommitQueue<Job>((batch) => runBatch(batch), 256);
 * queue.push(job); // runs in the next batch
 * await queue.idle();
 */
export class CommitQueue<J extends QueuedJob> {
  private readonly pending: J[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** Runs one batch; must not throw (it settles each job itself). */
    private readonly runBatch: (batch: J[]) => Promise<void>,
    private readonly maxBatch: number,
    /**
     * What the next batch waits for unless a full batch is already queued: the database passes
     * "the previous batch is durable", so jobs arriving during its flush share the next batch
     * instead of each paying a batch's fixed cost.
     */
    private readonly beforeNextBatch: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Queues a job; a batch starts once the current one is done. */
  push(job: J): void {
    this.pending.push(job);
    if (!this.running) {
      this.running = true;
      // Start after the current synchronous burst, so writes issued together share a batch.
      queueMicrotask(() => void this.loop());
    }
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private take(): J[] {
    if (this.pending[0]!.exclusive) return this.pending.splice(0, 1);
    let n = 0;
    while (n < this.pending.length && n < this.maxBatch && !this.pending[n]!.exclusive) n++;
    return this.pending.splice(0, n);
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0) {
      try {
        await this.runBatch(this.take());
      } catch (error) {
        // runBatch settles its jobs itself; reaching here is a bug, but the queue must go on.
        console.error("syncline: a write batch failed unexpectedly", error);
      }
      if (this.pending.length < this.maxBatch) {
        await this.beforeNextBatch().catch(() => undefined); // (a failure is the next batch's to report)
        // Let the callers this batch resolved run their continuations (and queue their next
        // write) before the next batch is cut.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
