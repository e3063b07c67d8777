// File storage: the `_storage` rows in the database plus the blobs they name. Everything that
// stores, deletes or serves a file goes through here - `ctx.storage`, the upload URL and the
// file URLs - so the rule "a blob lives exactly as long as a row names it" is kept in one place.

import type { FileMetadata } from "../define/system-tables.js";
import type { Database } from "../db/types.js";
import { isIdOf } from "../../values/id.js";
import type { BlobStore, ByteSource } from "./blob-store.js";
import { blobKeyOf, BY_SHA256, files, sha256Of, STORAGE_TABLE } from "./storage-table.js";
import { UploadTokens } from "./upload-tokens.js";

export interface FileStorageOptions {
  db: Database;
  blobs: BlobStore;
  /** The address clients reach the server at (`http://127.0.0.1:3210`); file URLs start with it. */
  baseUrl(): string;
  /** Milliseconds since the epoch (upload URL expiry). */
  now(): number;
  /** Reports cleanup that failed (the next start's sweep retries it). */
  warn(message: string): void;
  /**
   * Writes a new file's `_storage` row (default: a transaction of `db`). A cluster's follower
   * sends it to the leader; the blob itself is written here, from any node (it is content-addressed).
   */
  insertRow?: (row: NewFileRow) => Promise<StorageId>;
  /**
   * False while this server must not delete blobs (default: always true). A cluster's follower
   * leaves that to the leader: only there do the rows it checks and the blobs it holds meet.
   */
  releasesBlobs?: () => boolean;
  /**
   * Signs upload URLs with a key derived from this secret (a cluster's node secret), so that any
   * node accepts an upload URL any node made (default: a random key of this process).
   */
  uploadSecret?: string | undefined;
}

/** A new file's details. */
export interface NewFile {
  /** The `Content-Type` to serve it with; none means `application/octet-stream`. */
  contentType?: string | undefined;
  /** The base64 SHA-256 the bytes must have, if the caller knows it. */
  sha256?: string | undefined;
}

type StorageId = FileMetadata["_id"];

/** The `_storage` row of a new file, without its system fields. */
export interface NewFileRow {
  sha256: string;
  size: number;
  contentType?: string;
}

/**
 * The server's file storage.
 *
 * @example
 * const storage = new FileStorage({ db, blobs: new MemoryBlobStore(), baseUrl: () => url, now: Date.now });
 * const id = await storage.store(request, { contentType: "image/png" });
 */
export class FileStorage {
  readonly blobs: BlobStore;
  readonly #db: Database;
  readonly #baseUrl: () => string;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  readonly #tokens: UploadTokens;
  readonly #insertRow: (row: NewFileRow) => Promise<StorageId>;
  readonly #releasesBlobs: () => boolean;
  /** Blobs committed by a store whose row is not written yet: not garbage. */
  readonly #pending = new Map<string, number>();
  /** Commits and deletions of blobs take turns, so a deletion never races a new row. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(options: FileStorageOptions) {
    this.#db = options.db;
    this.blobs = options.blobs;
    this.#baseUrl = options.baseUrl;
    this.#now = options.now;
    this.#warn = options.warn;
    this.#tokens = new UploadTokens(options.uploadSecret);
    this.#insertRow = options.insertRow ?? (async (row) => (await this.#db.write((tx) => tx.systemWriter!.insert(STORAGE_TABLE, { ...row }), { system: true })).result as StorageId);
    this.#releasesBlobs = options.releasesBlobs ?? (() => true);
  }

  /** A fresh upload URL. */
  uploadUrl(): string {
    return `${this.#baseUrl()}/api/storage/upload?token=${this.#tokens.issue(this.#now())}`;
  }

  /** Throws an `UploadTokenError` unless `token` came from `uploadUrl()` and is still valid. */
  checkUploadToken(token: string | null): void {
    this.#tokens.check(token, this.#now());
  }

  /** The URL serving a file (whether or not it exists). */
  fileUrl(id: StorageId): string {
    return `${this.#baseUrl()}/api/storage/${id}`;
  }

  /**
   * Stores bytes as a new file: the blob first, then its row. A failure leaves no row, and the
   * blob is removed unless another row uses it.
   */
  async store(source: ByteSource, file: NewFile = {}): Promise<StorageId> {
    const row = await this.hold(source, file);
    let id: StorageId;
    try {
      id = await this.#insertRow(row);
    } catch (error) {
      await this.letGo([row.sha256]); // the row did not make it: the blob goes unless another row uses it
      throw error;
    }
    this.#unhold(blobKeyOf(row.sha256));
    return id;
  }

  /**
   * Commits the bytes of a file whose `_storage` row the caller writes itself (a mutation, in its
   * own transaction), and returns that row. The blob is held - no release or sweep of this
   * process removes it - until `letGo`, which the caller must call once the transaction ended,
   * committed or not. Should the process die first, the next start's sweep removes the blob
   * unless the row committed.
   *
   * @example
   * const row = await storage.hold([bytes], { contentType: "text/plain" });
   * try { await db.write((tx) => tx.systemWriter!.insert("_storage", row), { system: true }); } finally { await storage.letGo([row.sha256]); }
   */
  async hold(source: ByteSource, file: NewFile = {}): Promise<NewFileRow> {
    const staged = await this.blobs.stage(source);
    const sha256 = sha256Of(staged.key);
    if (file.sha256 !== undefined && file.sha256 !== sha256) {
      await staged.discard();
      throw new Error(`The file's SHA-256 is ${sha256}, not the expected ${file.sha256}; nothing was stored.`);
    }
    await this.#inTurn(async () => {
      await staged.commit();
      this.#pending.set(staged.key, (this.#pending.get(staged.key) ?? 0) + 1);
    });
    return { sha256, size: staged.size, ...(file.contentType ? { contentType: file.contentType } : {}) };
  }

  /**
   * Ends the holds `hold` took (one per digest listed) and removes the blobs no committed row
   * names: the contents of a rolled-back mutation's files go, a committed one's stay. Never rejects.
   */
  async letGo(digests: readonly string[]): Promise<void> {
    for (const sha256 of digests) this.#unhold(blobKeyOf(sha256));
    await this.release(digests);
  }

  /**
   * Runs `insert` (which writes a row naming `sha256`) while the blob cannot be released, after
   * checking it is stored. The leader inserts a follower's row through this: the follower wrote
   * the blob, but only the leader's hold keeps a concurrent release from deleting it, and a blob
   * already released fails the row instead of leaving it pointing at nothing.
   *
   * @example
   * const id = await storage.withBlobHeld(row.sha256, () => insertTheRow(row));
   */
  async withBlobHeld<T>(sha256: string, insert: () => Promise<T>): Promise<T> {
    const key = blobKeyOf(sha256);
    await this.#inTurn(async () => {
      const blob = await this.blobs.open(key);
      if (blob === undefined) throw new Error(`The contents of this file (${key}) are no longer stored (an identical file was deleted at the same moment); store it again.`);
      await blob.close();
      this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    });
    try {
      return await insert();
    } finally {
      this.#unhold(key);
    }
  }

  #unhold(key: string): void {
    const left = this.#pending.get(key)! - 1;
    if (left === 0) this.#pending.delete(key);
    else this.#pending.set(key, left);
  }

  /** The row of a file, or null (also for strings that are not storage ids). */
  async metadata(id: string): Promise<FileMetadata | null> {
    if (!isIdOf(id, STORAGE_TABLE)) return null;
    const { result } = await this.#db.read((tx) => tx.db.system.get(id as StorageId));
    return result as FileMetadata | null;
  }

  /** A file's contents, or undefined when it does not exist. */
  async read(id: string): Promise<{ file: FileMetadata; bytes: Uint8Array } | undefined> {
    const file = await this.metadata(id);
    const bytes = file === null ? undefined : await this.contents(file);
    return file === null || bytes === undefined ? undefined : { file, bytes };
  }

  /** The contents a row names (read by the caller, e.g. in its own transaction), or undefined when they are gone. */
  contents(file: Pick<FileMetadata, "sha256">): Promise<Uint8Array | undefined> {
    return this.blobs.read(blobKeyOf(file.sha256));
  }

  /**
   * Deletes the blobs of these digests that no row names any more. Called after a commit that
   * deleted rows (a rolled-back deletion never gets here), and for leftovers at startup. Never
   * rejects: whatever the cause, a failed cleanup only leaves garbage for the next start's sweep,
   * and the call that asked for it (a committed deletion, a stored file) has succeeded.
   */
  async release(digests: Iterable<string>): Promise<void> {
    if (!this.#releasesBlobs()) return; // the leader's sweep removes what is left
    for (const sha256 of new Set(digests)) {
      const key = blobKeyOf(sha256);
      await this.#inTurn(async () => {
        if (this.#pending.has(key)) return;
        const { result: user } = await this.#db.read((tx) => files(tx.db.system).withIndex(BY_SHA256, (q) => q.eq("sha256", sha256)).first());
        if (user === null) await this.blobs.delete(key);
      }).catch((error: unknown) => this.#warn(`Removing the unused file contents ${key} failed (the next start retries): ${(error as Error).message}`));
    }
  }

  /** Removes blobs that no row names: what a crash between a blob and its row (or its deletion) left. */
  async sweep(): Promise<void> {
    await this.release((await this.blobs.keys()).map(sha256Of));
  }

  #inTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(task);
    this.#turn = run.catch(() => {});
    return run;
  }
}
