// How a follower learns of new commits: a dedicated LISTEN connection on COMMIT_CHANNEL wakes it
// at once, and a poll every `pollMs` is the backstop (NOTIFY has no replay: a listener whose
// connection broke misses what was sent meanwhile). Either way the commit log is the truth:
// `catchUp` reads it from the last applied timestamp, one catch-up at a time, and runs again
// when a wake-up came while it ran.

import type pg from "pg";
import { COMMIT_CHANNEL } from "./layout.js";
import { outsideCaller } from "./session.js";

export interface CommitTailOptions {
  /** Opens the LISTEN connection (a plain client, not pooled: it stays in LISTEN). */
  connect(): Promise<pg.Client>;
  /** Applies every commit after the last applied one; must not throw. */
  catchUp(): Promise<void>;
  /** The backstop poll interval (ms). */
  pollMs: number;
  /** Told when the LISTEN connection broke (it is reopened on the next poll). */
  onListenLost?(error: unknown): void;
}

/**
 * Wakes a follower on every commit.
 *
 * @example
 * const tail = new CommitTail({ connect, catchUp: () => db.catchUp(), pollMs: 250 });
 * await tail.start();
 * ...
 * await tail.stop();
 */
export class CommitTail {
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: CommitTailOptions) {}

  /** Starts listening (LISTEN is committed before the first catch-up, so nothing falls between). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen().catch(() => undefined); // the poll retries it
    this.timer = outsideCaller(() => setInterval(() => {
      if (this.listener === undefined) void this.listen().catch(() => undefined);
      this.wake();
    }, this.options.pollMs));
    this.timer.unref();
    this.wake();
  }

  /** Runs a catch-up now, or right after the one running. */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.options.catchUp();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once no catch-up is running. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** The backend pid of the LISTEN connection (tests terminate it), if connected. */
  get listenerPid(): number | undefined {
    return (this.listener as unknown as { processID?: number } | undefined)?.processID;
  }

  private listen(): Promise<void> {
    this.listening ??= (async () => {
      const client = await this.options.connect();
      const lost = (error?: unknown) => {
        if (this.listener !== client) return;
        this.listener = undefined;
        client.end().catch(() => undefined);
        if (!this.stopped) this.options.onListenLost?.(error);
      };
      client.on("error", lost);
      client.on("end", () => lost());
      client.on("notification", () => this.wake());
      await client.query(`LISTEN ${COMMIT_CHANNEL}`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.listener = client;
      this.wake(); // commits between the last poll and LISTEN
    })().finally(() => {
      this.listening = undefined;
    });
    return this.listening;
  }

  /** Stops waking and closes the LISTEN connection; a catch-up in flight finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    const client = this.listener;
    this.listener = undefined;
    await this.listening?.catch(() => undefined);
    await client?.end().catch(() => undefined);
    await this.idle();
  }
}
