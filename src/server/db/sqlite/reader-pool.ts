// Reader connections: opened lazily up to a maximum, handed out one per read transaction (a
// connection holds one WAL snapshot at a time), reads beyond the maximum wait in FIFO order.

import { Connection } from "./connection.js";

/** A bounded pool of read-only connections to one database file. */
export class ReaderPool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: ((conn: Connection) => void)[] = [];

  /**
   * @example
   * const pool = new ReaderPool(file, 8);
   * const conn = await pool.acquire(); try { ... } finally { pool.release(conn); }
   */
  constructor(
    private readonly path: string,
    private readonly max: number,
  ) {}

  /** How many connections are open. */
  get size(): number {
    return this.all.length;
  }

  /** A free connection: an idle one, a new one while under the maximum, or the next released one. */
  acquire(): Promise<Connection> {
    const conn = this.idle.pop();
    if (conn !== undefined) return Promise.resolve(conn);
    if (this.all.length < this.max) {
      const fresh = new Connection(this.path, "reader");
      this.all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Returns a connection (its transaction already ended). */
  release(conn: Connection): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(conn);
    else this.idle.push(conn);
  }

  /** Closes every connection; call only when none is checked out. */
  close(): void {
    for (const conn of this.all) conn.close();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
