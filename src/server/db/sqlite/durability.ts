// Durability off the event loop. The writer commits with `synchronous = NORMAL` (SQLite syncs the
// WAL only around checkpoints), and this file flushes the WAL with fdatasync on libuv's thread
// pool after commits. Nothing a commit wrote may reach anyone before that flush: its writers wait
// for it, and so does every read whose snapshot includes it. Meanwhile the event loop goes on
// parsing requests and running queries, and one flush covers every commit made while the
// previous one was in flight - the same guarantee as `synchronous = FULL`, without blocking.

import { close, closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** Flushes a file's data to stable storage. */
export type FileSync = (fd: number) => Promise<void>;

/** fdatasync on libuv's thread pool. */
export const fdatasyncFile: FileSync = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

interface Waiter {
  seq: number;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Numbers commits as they happen and tells when each is on disk. Flushes run one at a time; a
 * flush covers every commit numbered before it started.
 *
 * @example
 * const horizon = DurabilityHorizon.forWal(file);
 * const seq = horizon.committed(); // right after COMMIT
 * await horizon.whenDurable(seq);  // before telling anyone
 */
export class DurabilityHorizon {
  #committedSeq = 0;
  #durableSeq = 0;
  #flushes = 0;
  #flushMs = 0;
  #flushing: Promise<void> | undefined;
  #failure: Error | undefined;
  #waiters: Waiter[] = [];

  /** @param fd the WAL file, open for as long as the database is. */
  constructor(
    private readonly fd: number,
    private readonly sync: FileSync = fdatasyncFile,
  ) {}

  /**
   * The horizon of a database file's WAL, which the writer has created by now. What the writer
   * committed while opening (layout, system tables) is flushed here, before anything is served.
   */
  static forWal(databaseFile: string, sync?: FileSync): DurabilityHorizon {
    const fd = openSync(`${databaseFile}-wal`, "r");
    fdatasyncSync(fd);
    // A database created just now: its directory entries must survive a power loss too.
    const dir = openSync(dirname(databaseFile), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return new DurabilityHorizon(fd, sync);
  }

  /** The number of the newest commit; a snapshot taken now sees exactly the commits up to it. */
  get committedSeq(): number {
    return this.#committedSeq;
  }

  /** Flushes started so far. */
  get flushes(): number {
    return this.#flushes;
  }

  /** Wall time spent in flushes so far (ms): the disk's share of commit latency. */
  get flushMs(): number {
    return this.#flushMs;
  }

  /** Why flushing failed, once it has: from then on no commit can be confirmed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Records a COMMIT that just happened and starts flushing it; returns its number. */
  committed(): number {
    const seq = ++this.#committedSeq;
    this.#flush();
    return seq;
  }

  /** Resolves once commit `seq` (and every one before it) is on disk; rejects if flushing failed. */
  whenDurable(seq: number): Promise<void> {
    if (seq <= this.#durableSeq) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ seq, resolve, reject }));
  }

  /** Waits for the flush in flight (and the ones it leads to), then releases the file. */
  async close(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    await new Promise<void>((resolve) => close(this.fd, () => resolve()));
  }

  #flush(): void {
    if (this.#flushing !== undefined || this.#failure !== undefined) return;
    const target = this.#committedSeq;
    this.#flushes++;
    const started = performance.now();
    this.#flushing = this.sync(this.fd).then(
      () => {
        this.#flushMs += performance.now() - started;
        this.#flushing = undefined;
        this.#durableSeq = target;
        this.#settle();
        if (this.#committedSeq > target) this.#flush();
      },
      (error: unknown) => {
        this.#flushing = undefined;
        // After a failed fsync the kernel may have dropped the dirty pages: retrying could report
        // success for data that is gone. Stop confirming anything.
        this.#failure = new Error(`The database can no longer confirm writes: flushing its log to disk failed (${(error as Error).message ?? String(error)}).`, { cause: error });
        console.error(`syncline: ${this.#failure.message} Every read and write is refused from now on; restart the server once the disk is healthy (SQLite recovers the log when it opens the file).`);
        this.#settle();
      },
    );
  }

  #settle(): void {
    const pending: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.seq <= this.#durableSeq) waiter.resolve();
      else if (this.#failure !== undefined) waiter.reject(this.#failure);
      else pending.push(waiter);
    }
    this.#waiters = pending;
  }
}
