// Where file contents live: content-addressed blobs, named by the hex SHA-256 of their bytes.
// Identical files share one blob; the `_storage` rows (in the database) say which blobs are in
// use. A blob is written to a staging place while it is hashed, then committed under its name.

import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
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
  /** Makes the blob readable under `key` (replacing an identical one). */
  commit(): Promise<void>;
  /** Drops the staged bytes. */
  discard(): Promise<void>;
}

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A store of immutable blobs. */
export interface BlobStore {
  /** Receives bytes into staging, hashing them on the way. */
  stage(source: ByteSource): Promise<StagedBlob>;
  /** The size of a committed blob, or undefined when there is none. */
  size(key: string): Promise<number | undefined>;
  /** A stream of the blob's bytes (all of them, or `range`); the blob must exist. */
  stream(key: string, range?: ByteRange): Readable;
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
 * Blobs as files of one directory (`.syncline/files` next to the database).
 *
 * @example
 * const blobs = await DirectoryBlobStore.open(".syncline/files");
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
    } catch (error) {
      await rm(stagingPath, { force: true });
      throw error;
    }
    const key = hash.digest("hex");
    return {
      key,
      size,
      commit: () => rename(stagingPath, this.path(key)),
      discard: () => rm(stagingPath, { force: true }),
    };
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  stream(key: string, range?: ByteRange): Readable {
    return createReadStream(this.path(key), range);
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

  async size(key: string): Promise<number | undefined> {
    return this.blobs.get(key)?.length;
  }

  stream(key: string, range?: ByteRange): Readable {
    const bytes = this.blobs.get(key);
    if (bytes === undefined) throw new Error(`No blob ${key}.`);
    return Readable.from([range === undefined ? bytes : bytes.subarray(range.start, range.end + 1)]);
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
