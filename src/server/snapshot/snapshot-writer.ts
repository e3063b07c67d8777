// Writes a snapshot file (format.ts): lines into gzip into a temporary file beside the target,
// renamed over it only once the end line is written and on disk, so an export that fails midway
// never leaves a truncated snapshot under the name. Writes wait for the disk (backpressure): the
// whole snapshot is never in memory.

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { createGzip, type Gzip } from "node:zlib";
import type { InstalledSchema, SnapshotTable, Timestamp } from "../db/types.js";
import {
  CHUNK_BYTES,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type ChunkEntry,
  type EndEntry,
  type FileEntry,
  type HeaderEntry,
  type SchemaEntry,
  type TableEntry,
} from "./format.js";

/** Characters of lines collected before they go to gzip together. */
const BUFFER_CHARS = 256 * 1024;

/**
 * One snapshot file being written.
 *
 * @example
 * const writer = await SnapshotWriter.create("backup.jsonl.gz");
 * await writer.header(ts);
 * await writer.table({ name: "messages", indexes: [] });
 * await writer.documents("messages", page);
 * await writer.finish();
 */
export class SnapshotWriter {
  private readonly hash = createHash("sha256");
  private lines = 0;
  private readonly documentCounts = new Map<string, number>();
  private files = 0;
  private fileBytes = 0;
  /** Compressed bytes written so far. */
  bytesWritten = 0;
  private buffered: string[] = [];
  private bufferedChars = 0;
  /** Set once the lines the checksum covers are all flushed. */
  private ended = false;

  private constructor(
    private readonly target: string,
    private readonly temporary: string,
    private readonly gzip: Gzip,
    private readonly out: WriteStream,
  ) {
    gzip.on("data", (chunk: Buffer) => (this.bytesWritten += chunk.length));
  }

  /** Starts writing; nothing appears under `target` before `finish`. */
  static async create(target: string): Promise<SnapshotWriter> {
    const temporary = `${target}.partial-${randomBytes(4).toString("hex")}`;
    const out = createWriteStream(temporary, { flags: "wx" });
    try {
      await once(out, "open");
    } catch (error) {
      throw new Error(`Cannot write the snapshot ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { cause: error });
    }
    // Level 3: most of level 6's compression on JSON at about twice its speed.
    const gzip = createGzip({ level: 3 });
    gzip.pipe(out);
    // A failing file (disk full) fails gzip too, so a write waiting for "drain" hears of it.
    out.on("error", (error) => gzip.destroy(error));
    return new SnapshotWriter(target, temporary, gzip, out);
  }

  /** Writes one line (its text without the newline); every line but the end line is counted and checksummed. */
  private async line(text: string, counted = true): Promise<void> {
    if (counted) this.lines++;
    this.buffered.push(text, "\n");
    this.bufferedChars += text.length + 1;
    if (this.bufferedChars >= BUFFER_CHARS) await this.flush();
  }

  /**
   * Hands the buffered lines to gzip as one piece: each write to a zlib stream is a task of its
   * own on the thread pool, far too costly per line.
   */
  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const bytes = Buffer.from(this.buffered.join(""));
    this.buffered = [];
    this.bufferedChars = 0;
    if (!this.ended) this.hash.update(bytes);
    if (!this.gzip.write(bytes)) await once(this.gzip, "drain"); // rejects if gzip fails (or the file, see create)
  }

  header(ts: Timestamp, createdAt = new Date()): Promise<void> {
    const header: HeaderEntry = { type: "header", format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ts: ts.toString(), createdAt: createdAt.toISOString() };
    return this.line(JSON.stringify(header));
  }

  schema(schema: InstalledSchema): Promise<void> {
    const entry: SchemaEntry = { type: "schema", validate: schema.validate, validators: schema.validators };
    return this.line(JSON.stringify(entry));
  }

  table(table: SnapshotTable): Promise<void> {
    const entry: TableEntry = { type: "table", name: table.name, indexes: table.indexes };
    return this.line(JSON.stringify(entry));
  }

  /** Writes a file entry and its contents as chunk lines; `contents` must hold exactly `size` bytes. */
  async file(sha256: string, size: number, contents: Readable): Promise<void> {
    const entry: FileEntry = { type: "file", sha256, size };
    await this.line(JSON.stringify(entry));
    let written = 0;
    let pending: Buffer = Buffer.alloc(0);
    const flush = async (bytes: Buffer) => {
      written += bytes.length;
      const chunk: ChunkEntry = { type: "chunk", bytes: bytes.toString("base64") };
      await this.line(JSON.stringify(chunk));
    };
    for await (const piece of contents as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? piece : Buffer.concat([pending, piece]);
      while (pending.length >= CHUNK_BYTES) {
        await flush(pending.subarray(0, CHUNK_BYTES));
        pending = pending.subarray(CHUNK_BYTES);
      }
    }
    if (pending.length > 0) await flush(pending);
    if (written !== size) throw new Error(`The contents of file ${sha256} are ${written} bytes, but its _storage row says ${size}.`);
    this.files++;
    this.fileBytes += size;
  }

  /**
   * Writes documents of `table` from their stored JSON text (encodeValue form), each as a
   * DocumentEntry line - spliced in as text, not parsed and written again.
   */
  async documents(table: string, jsons: readonly string[]): Promise<void> {
    const prefix = `{"type":"document","table":${JSON.stringify(table)},"value":`;
    for (const json of jsons) await this.line(`${prefix}${json}}`);
    this.documentCounts.set(table, (this.documentCounts.get(table) ?? 0) + jsons.length);
  }

  /** Writes the end line, flushes everything to disk and puts the file under its name. */
  async finish(): Promise<void> {
    await this.flush();
    this.ended = true;
    const end: EndEntry = {
      type: "end",
      lines: this.lines,
      documents: Object.fromEntries(this.documentCounts),
      files: this.files,
      fileBytes: this.fileBytes,
      sha256: this.hash.digest("hex"),
    };
    await this.line(JSON.stringify(end), false);
    await this.flush();
    this.gzip.end();
    await once(this.out, "close");
    const handle = await open(this.temporary, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.temporary, this.target);
  }

  /** Stops writing and removes the temporary file. */
  async abort(): Promise<void> {
    this.gzip.unpipe(this.out);
    this.gzip.destroy();
    this.out.destroy();
    await rm(this.temporary, { force: true });
  }
}
