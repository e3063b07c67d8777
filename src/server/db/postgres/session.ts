// One Postgres connection as the engine uses it: statements pipelined in call order (the client
// runs with `pipeline: true`), each parameterised and prepared once per connection, and a
// connection that broke refuses further statements with a connection error (code
// CONNECTION_CLOSED) instead of hanging or crashing.
//
// The driver is node-postgres (`pg`). It is loaded only when a Postgres URL is opened.

import { createHash } from "node:crypto";
import { AsyncResource } from "node:async_hooks";
import type { Socket } from "node:net";
import type pg from "pg";

/** Whatever runs statements: a session, or the writer (which reconnects). */
export interface Queryable {
  query<T extends object>(text: string, params: readonly unknown[]): Promise<T[]>;
}

/**
 * The async context the driver runs in: the one this module was loaded in (opening the database),
 * never that of the function whose read or write reached it. A query's scope refuses timers and
 * freezes the clock, and the driver uses both for its own bookkeeping.
 */
const driverContext = new AsyncResource("syncline.postgres");

/**
 * Runs driver code outside the caller's async context (see `driverContext`).
 *
 * @example
 * const client = await outsideCaller(() => pool.connect());
 */
export function outsideCaller<T>(fn: () => T): T {
  return driverContext.runInAsyncScope(fn);
}

/** An error meaning the connection is gone (see errors.ts `isConnectionError`). */
export function connectionClosed(cause?: unknown): Error {
  const error = new Error("The connection to PostgreSQL was closed.") as Error & { code: string; cause?: unknown };
  error.code = "CONNECTION_CLOSED";
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** Prepared statement names: one per statement text. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `s_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/** node-postgres reports some connection losses without a code: give them one. */
function withCode(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown };
  if (e !== null && typeof e === "object" && e.code === undefined && typeof e.message === "string") {
    if (/Connection terminated|not queryable|Client was closed|connection error|ECONNRESET/i.test(e.message)) return connectionClosed(error);
  }
  return error;
}

/**
 * A connected client with ordered statements.
 *
 * @example
 * const session = new Session(await pool.connect());
 * const rows = await session.query("SELECT json FROM syncline_documents WHERE id = $1", [id]);
 */
export class Session<C extends pg.ClientBase = pg.ClientBase> implements Queryable {
  private chain: Promise<unknown> = Promise.resolve();
  /** Set once the connection failed: every later statement fails at once. */
  broken: Error | undefined;

  private readonly onError = (error: unknown) => {
    this.broken ??= connectionClosed(error);
  };
  private readonly onEnd = () => {
    this.broken ??= connectionClosed();
  };

  constructor(readonly client: C) {
    client.on("error", this.onError);
    client.on("end", this.onEnd);
  }

  /** Stops watching the client (before a pooled client goes back to its pool). */
  detach(): void {
    this.client.removeListener("error", this.onError);
    this.client.removeListener("end", this.onEnd);
  }

  query<T extends object>(text: string, params: readonly unknown[]): Promise<T[]> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    this.holdWrites();
    // The client pipelines (`pipeline: true`): the statement goes out now, behind the ones before it.
    const result = outsideCaller(() => this.client.query<T>({ text, values: params as unknown[], name: params.length > 0 ? statementName(text) : undefined })).then(
      (answer) => answer.rows,
      (error: unknown) => Promise.reject(withCode(error)),
    );
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** The socket is corked until the current burst of statements ends. */
  private holding = false;

  /**
   * Holds the socket's writes until the current tick's work (its microtasks included) is done:
   * the driver writes each message of each statement on its own, and a group commit issues many
   * statements in one burst - one system call for all of them, not several per statement. Nothing
   * waits longer than the burst: a caller awaiting an answer ends it.
   */
  private holdWrites(): void {
    if (this.holding) return;
    const stream = (this.client as unknown as { connection?: { stream?: Partial<Pick<Socket, "cork" | "uncork">> } }).connection?.stream;
    if (typeof stream?.cork !== "function" || typeof stream.uncork !== "function") return;
    this.holding = true;
    stream.cork();
    process.nextTick(() => {
      this.holding = false;
      stream.uncork!();
    });
  }

  /** Resolves once every statement sent so far answered. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }
}

/**
 * The writer's connection: one session at a time. A broken session is never replaced behind a
 * caller's back (the statements of an open transaction must not go on in autocommit on a new
 * connection): every statement fails until `renew()`, which callers make only between
 * transactions. The new session has a new backend pid, which is how the database notices it
 * must take the owner lock again.
 *
 * @example
 * const writer = new ReconnectingSession(connectClient);
 * writer.renew(); // between transactions
 * await writer.query("BEGIN", []);
 */
export class ReconnectingSession implements Queryable {
  private current: Promise<Session<pg.Client>> | undefined;
  private latest: Session<pg.Client> | undefined;

  constructor(private readonly connect: () => Promise<pg.Client>) {}

  private session(): Promise<Session<pg.Client>> {
    if (this.current === undefined) {
      const opening = outsideCaller(() => this.connect()).then((client) => (this.latest = new Session<pg.Client>(client)));
      this.current = opening;
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
    }
    return this.current;
  }

  async query<T extends object>(text: string, params: readonly unknown[]): Promise<T[]> {
    let session: Session<pg.Client>;
    try {
      session = await this.session();
    } catch (error) {
      throw withCode(error);
    }
    return session.query<T>(text, params);
  }

  /**
   * Between transactions: drops a broken session, so the next statement opens a new connection.
   * True when it did (the next statement runs on another backend).
   */
  renew(): boolean {
    const latest = this.latest;
    if (latest === undefined || latest.broken === undefined) return false;
    this.latest = undefined;
    this.current = undefined;
    latest.client.end().catch(() => undefined);
    return true;
  }

  /** Closes the connection (a session-level lock it held is released by Postgres). */
  async end(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current === undefined) return;
    const session = await current.catch(() => undefined);
    await session?.client.end().catch(() => undefined);
  }
}

/**
 * Runs `fn` with a pooled connection of its own, in the caller's async context; the connection
 * goes back to the pool afterwards (or is discarded when it broke).
 *
 * @example
 * const rows = await withPooledSession(pool, (session) => session.query("SELECT 1 AS one", []));
 */
export async function withPooledSession<T>(pool: pg.Pool, fn: (session: Session) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await outsideCaller(() => pool.connect());
  } catch (error) {
    throw withCode(error);
  }
  const session = new Session(client);
  try {
    return await fn(session);
  } finally {
    // The caller goes on at once; the connection returns to the pool when its last statement
    // (a read's COMMIT) has answered.
    void session.idle().then(() => {
      session.detach();
      client.release(session.broken !== undefined ? true : undefined);
    });
  }
}

/**
 * Runs `fn` inside BEGIN .. COMMIT on `conn` (ROLLBACK when it throws).
 *
 * @example
 * await inTransaction(session, async (tx) => { await tx.query("DELETE ...", [key]); });
 */
export async function inTransaction<T>(conn: Queryable, fn: (tx: Queryable) => Promise<T>, mode = ""): Promise<T> {
  await conn.query(`BEGIN${mode === "" ? "" : ` ${mode}`}`, []);
  let result: T;
  try {
    result = await fn(conn);
  } catch (error) {
    await conn.query("ROLLBACK", []).catch(() => undefined);
    throw error;
  }
  await conn.query("COMMIT", []);
  return result;
}
