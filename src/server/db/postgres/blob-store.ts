// Stored files' contents in PostgreSQL: each blob is a row in `syncline_blobs` (name = hex
// SHA-256, size) and its bytes are rows of CHUNK bytes in `syncline_blob_chunks`, so no file is
// ever held whole in memory and every server on the database can serve every file. A blob is
// staged under a random name while it is received and hashed, then renamed in one transaction.
// Any node of a cluster writes blobs itself, outside the leader's commit order: names are
// content hashes (two nodes committing the same bytes meet at the unique key), and staging names
// carry their start time, so a node starting up removes only uploads older than any request may
// last - never one another node is still receiving.

import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type pg from "pg";
import type { BlobStore, ByteRange, ByteSource, OpenBlob, StagedBlob } from "../../storage/blob-store.js";
import { inTransaction, withPooledSession, type Queryable } from "./session.js";
import { send } from "./store.js";

/** Bytes per chunk row. */
export const CHUNK = 256 * 1024;
const STAGING_PREFIX = "staging-";
const KEY = /^[0-9a-f]{64}$/;
/**
 * Staged chunks older than this were left by a process that died: twice the longest an upload
 * request may take (an upload URL's hour), so clock skew between nodes cannot matter.
 */
export const STALE_STAGING_MS = 2 * 60 * 60 * 1000;

/** A staging name: `staging-<start time, base 36>-<random>`. */
function stagingName(now: number): string {
  return `${STAGING_PREFIX}${now.toString(36)}-${randomBytes(12).toString("hex")}`;
}

/** True for a staging name started before `now - STALE_STAGING_MS`, or without a time (an older server's). */
export function isStaleStaging(key: string, now: number): boolean {
  const parts = key.slice(STAGING_PREFIX.length).split("-");
  const started = parts.length === 2 ? parseInt(parts[0]!, 36) : NaN;
  return !(started >= now - STALE_STAGING_MS); // NaN counts as stale
}

/** Regroups arbitrary byte pieces into CHUNK-sized ones (the last may be shorter). */
async function* chunked(source: ByteSource): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of source) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (size + rest.length >= CHUNK) {
      const take = CHUNK - size;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      size = 0;
    }
    if (rest.length > 0) {
      pending.push(Buffer.from(rest)); // a copy: the source may reuse its buffer
      size += rest.length;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

/**
 * Blobs in the database's own tables.
 *
 * @example
 * const blobs = await PostgresBlobStore.open(pool);
 * const staged = await blobs.stage(request);
 * await staged.commit();
 */
export class PostgresBlobStore implements BlobStore {
  private constructor(
    /** Where single statements go. */
    private readonly sql: Queryable,
    /** Runs statements that belong together atomically. */
    private readonly transact: (fn: (tx: Queryable) => Promise<void>) => Promise<void>,
  ) {}

  /**
   * The store on the pool (each statement its own transaction); removes what interrupted uploads
   * left staged long ago (uploads other nodes are receiving now stay).
   */
  static async open(pool: pg.Pool, now: number = Date.now()): Promise<PostgresBlobStore> {
    const sql: Queryable = { query: (text, params) => withPooledSession(pool, (session) => session.query(text, params)) };
    const staged = await send<{ key: string }>(sql, "SELECT DISTINCT key FROM syncline_blob_chunks WHERE key LIKE $1", [`${STAGING_PREFIX}%`]);
    const stale = staged.map((row) => row.key).filter((key) => isStaleStaging(key, now));
    if (stale.length > 0) await send(sql, "DELETE FROM syncline_blob_chunks WHERE key = ANY($1)", [stale]);
    return new PostgresBlobStore(sql, (fn) => withPooledSession(pool, (session) => inTransaction(session, fn)));
  }

  /**
   * The store inside `tx`, an open transaction: what it reads is that transaction's snapshot
   * (an export's), what it writes commits or rolls back with it (an import's).
   *
   * @example
   * const files = PostgresBlobStore.within(tx);
   */
  static within(tx: Queryable): PostgresBlobStore {
    return new PostgresBlobStore(tx, (fn) => fn(tx));
  }

  async stage(source: ByteSource): Promise<StagedBlob> {
    const staging = stagingName(Date.now());
    const discard = async () => void (await send(this.sql, "DELETE FROM syncline_blob_chunks WHERE key = $1", [staging]));
    const hash = createHash("sha256");
    let size = 0;
    let seq = 0;
    try {
      for await (const chunk of chunked(source)) {
        hash.update(chunk);
        size += chunk.length;
        await send(this.sql, "INSERT INTO syncline_blob_chunks (key, seq, data) VALUES ($1, $2, $3)", [staging, seq++, chunk]);
      }
    } catch (error) {
      await discard().catch(() => {}); // the original failure is the one worth reporting
      throw error;
    }
    const key = hash.digest("hex");
    return {
      key,
      size,
      commit: async () => {
        try {
          await this.transact(async (tx) => {
            // Every chunk must still be there: a blob missing some must never be named by its hash.
            const [held] = await send<{ chunks: string }>(tx, "SELECT count(*)::text AS chunks FROM syncline_blob_chunks WHERE key = $1", [staging]);
            if (Number(held?.chunks ?? 0) !== seq) throw new Error("The file's staged contents were removed while it was being stored (unfinished uploads were cleared); send it again.");
            const inserted = await send<{ key: string }>(tx, "INSERT INTO syncline_blobs (key, size) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key", [key, size]);
            // An identical blob is already stored: the staged copy is not needed.
            if (inserted.length === 0) await send(tx, "DELETE FROM syncline_blob_chunks WHERE key = $1", [staging]);
            else await send(tx, "UPDATE syncline_blob_chunks SET key = $1 WHERE key = $2", [key, staging]);
          });
        } catch (error) {
          await discard().catch(() => {});
          throw error;
        }
      },
      discard,
    };
  }

  async open(key: string): Promise<OpenBlob | undefined> {
    checkKey(key);
    const rows = await send<{ size: string }>(this.sql, "SELECT size::text AS size FROM syncline_blobs WHERE key = $1", [key]);
    if (rows[0] === undefined) return undefined;
    const size = Number(rows[0].size);
    return { size, stream: (range) => Readable.from(this.chunks(key, size, range)), close: async () => {} };
  }

  /** The bytes of `range` (inclusive), one chunk row at a time. */
  private async *chunks(key: string, size: number, range: ByteRange | undefined): AsyncGenerator<Buffer> {
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    for (let seq = Math.floor(start / CHUNK); seq * CHUNK <= end; seq++) {
      const rows = await send<{ data: Buffer }>(this.sql, "SELECT data FROM syncline_blob_chunks WHERE key = $1 AND seq = $2", [key, seq]);
      // A blob deleted while it was streamed ends early (a file store keeps the open file readable).
      if (rows[0] === undefined) return;
      const base = seq * CHUNK;
      yield rows[0].data.subarray(Math.max(0, start - base), end - base + 1);
    }
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const blob = await this.open(key);
    if (blob === undefined) return undefined;
    const parts: Buffer[] = [];
    for await (const part of blob.stream()) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.transact(async (tx) => {
      await send(tx, "DELETE FROM syncline_blobs WHERE key = $1", [key]);
      await send(tx, "DELETE FROM syncline_blob_chunks WHERE key = $1", [key]);
    });
  }

  async keys(): Promise<string[]> {
    const rows = await send<{ key: string }>(this.sql, "SELECT key FROM syncline_blobs", []);
    return rows.map((row) => row.key);
  }
}

function checkKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`Not a blob name: ${JSON.stringify(key)}.`);
}
