// Where file contents live: content-addressed blobs, named by the hex SHA-256 of their bytes.
// Identical files share one blob; the `_storage` rows (in the database) say which blobs are in
// use. A blob is written to a staging place while it is hashed, then committed under its name.

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Where a new blob's bytes come from: a request, or chunks already in memory. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Bytes received and hashed, not yet visible under their name. */
export interface StagedBlob {
  /** Hex SHA-256 of the bytes: the blob's name once committed. */
  readonly key: string;
  readonly size: number;
  /** Makes the blob readable under `key` (replacing an identical one), durably. */
  commit(): Promise<void>;
  /** Drops the staged bytes. */
  discard(): Promise<void>;
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A committed blob held open: its bytes stay readable even if it is deleted meanwhile. Call
 * `stream` once, or `close`.
 */
export interface OpenBlob {
  readonly size: number;
  /** The blob's bytes (all of them, or `range`); the stream closes the blob when it ends. */
  stream(range?: ByteRange): Readable;
  close(): Promise<void>;
}

/** A store of immutable blobs. */
export interface BlobStore {
  /** Receives bytes into staging, hashing them on the way. */
  stage(source: ByteSource): Promise<StagedBlob>;
  /** Opens a committed blob, or gives undefined when there is none. */
  open(key: string): Promise<OpenBlob | undefined>;
  /** The whole blob, or undefined when there is none. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** Removes a blob; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** The names of all committed blobs. */
  keys(): Promise<string[]>;
}

const KEY = /^[0-9a-f]{64}$/;
const STAGING_PREFIX = ".staging-";

/**
 * Blobs as files of one directory (`data.sqlite-files/` beside the database).
 *
 * @example
 * const blobs = await DirectoryBlobStore.open(".syncline/data.sqlite-files");
 * const staged = await blobs.stage(request);
 * await staged.commit();
 */
export class DirectoryBlobStore implements BlobStore {
  private constructor(private readonly dir: string) {}

  /** Opens (making it if needed) the directory and removes what an interrupted upload left. */
  static async open(dir: string): Promise<DirectoryBlobStore> {
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (name.startsWith(STAGING_PREFIX)) await rm(join(dir, name), { force: true });
    }
    return new DirectoryBlobStore(dir);
  }

  async stage(source: ByteSource): Promise<StagedBlob> {
    const stagingPath = join(this.dir, `${STAGING_PREFIX}${randomBytes(8).toString("hex")}`);
    const discard = () => rm(stagingPath, { force: true });
    const hash = createHash("sha256");
    let size = 0;
    const hashing = async function* (chunks: ByteSource) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    };
    try {
      await pipeline(source, hashing, createWriteStream(stagingPath));
      // On disk before the row that names it can commit: a crash must not keep a row whose
      // bytes were still in the page cache.
      await syncPath(stagingPath);
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
          await rename(stagingPath, this.path(key));
        } catch (error) {
          await discard().catch(() => {});
          throw error;
        }
        await syncPath(this.dir); // the rename itself
      },
      discard,
    };
  }

  async open(key: string): Promise<OpenBlob | undefined> {
    let handle;
    try {
      handle = await open(this.path(key), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const file = handle;
    const { size } = await file.stat().catch(async (error: unknown) => {
      await file.close();
      throw error;
    });
    return { size, stream: (range) => file.createReadStream(range ?? {}), close: () => file.close() };
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async keys(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => KEY.test(name));
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`Not a blob name: ${JSON.stringify(key)}.`);
    return join(this.dir, key);
  }
}

/** fsync of a file or a directory (for the names in it). */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Blobs in memory, for servers whose database is `:memory:` too.
 *
 * @example
 * const blobs = new MemoryBlobStore();
 */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async stage(source: ByteSource): Promise<StagedBlob> {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    const key = createHash("sha256").update(bytes).digest("hex");
    return {
      key,
      size: bytes.length,
      commit: async () => void this.blobs.set(key, bytes),
      discard: async () => {},
    };
  }

  async open(key: string): Promise<OpenBlob | undefined> {
    const bytes = this.blobs.get(key);
    if (bytes === undefined) return undefined;
    return {
      size: bytes.length,
      stream: (range) => Readable.from([range === undefined ? bytes : bytes.subarray(range.start, range.end + 1)]),
      close: async () => {},
    };
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(key);
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.blobs.keys()];
  }
}
