// Reads a snapshot file (format.ts) as a stream of checked entries: gzip, UTF-8 and JSON of every
// line, the order of the sections, every table a document names, file sizes, and - at the end -
// the counts and the checksum of the end line. Whatever is wrong is reported with its line. The
// reader holds one line at a time, so a snapshot of any size streams through it.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { tableOfId } from "../../values/id.js";
import { tableNameProblem } from "../../values/limits.js";
import { isPlainObject, type JSONValue } from "../../values/value.js";
import type { InstalledSchema, SnapshotTable, Timestamp } from "../db/types.js";
import { splitLines, type Line } from "./split-lines.js";
import { MAX_LINE_BYTES, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type DocumentEntry, type EndEntry } from "./format.js";

/** A snapshot that cannot be read, naming the file and (when it is about one) the line. */
export class SnapshotError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}, line ${line}: ${detail}`);
    this.name = "SnapshotError";
  }
}

/** The contents of one stored file, streamed from its chunk lines. */
export interface SnapshotFile {
  readonly type: "file";
  readonly line: number;
  /** The base64 SHA-256 the contents should have (as `_storage` rows name them). */
  readonly sha256: string;
  readonly size: number;
  /** The contents; consume them before asking for the next entry. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** One document, its value in `encodeValue` form, and the line it is on. */
export interface SnapshotDocumentEntry extends Readonly<DocumentEntry> {
  readonly line: number;
}

const RESERVED_INDEXES = new Set(["by_id", "by_creation_time"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

type Section = "tables" | "files" | "documents";

/**
 * A snapshot file open for reading: `open` reads its header, schema and tables; `entries` then
 * yields its files and documents and checks its end line.
 *
 * @example
 * const reader = await SnapshotReader.open("backup.jsonl.gz");
 * for await (const entry of reader.entries()) if (entry.type === "document") load(entry.table, entry.value);
 */
export class SnapshotReader {
  /** The commit timestamp the snapshot was taken at. */
  ts: Timestamp = 0n;
  /** When the snapshot was taken (ISO time, as its header says). */
  createdAt = "";
  userSchema: InstalledSchema | undefined;
  readonly tables: SnapshotTable[] = [];
  /** The number of the line read last. */
  line = 0;
  /** Compressed bytes read so far, of `fileSize`. */
  bytesRead = 0;
  private readonly declared = new Set<string>();
  private readonly hash = createHash("sha256");
  private readonly documentCounts = new Map<string, number>();
  private readonly fileDigests = new Set<string>();
  private fileBytes = 0;
  private section: Section = "tables";
  /** A line read ahead (the first one after the tables). */
  private pending: Record<string, unknown> | undefined;

  private constructor(
    readonly file: string,
    readonly fileSize: number,
    private readonly lines: AsyncIterator<Line>,
    /** Stops reading and releases the file. */
    readonly close: () => void,
  ) {}

  /** Opens `file` and reads everything before the first file or document. */
  static async open(file: string): Promise<SnapshotReader> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw new SnapshotError(file, undefined, `cannot read it (${(error as Error).message}).`);
    }
    const input = createReadStream(file);
    const gunzip = createGunzip();
    pipeline(input, gunzip, () => {}); // errors reach the reader through gunzip
    let reader: SnapshotReader | undefined;
    input.on("data", (chunk) => reader !== undefined && (reader.bytesRead += chunk.length));
    const lines = splitLines(gunzip, () => new SnapshotError(file, (reader?.line ?? 0) + 1, `the line is longer than ${MAX_LINE_BYTES} bytes.`));
    reader = new SnapshotReader(file, size, lines, () => gunzip.destroy());
    try {
      await reader.readHead();
    } catch (error) {
      reader.close();
      throw error;
    }
    return reader;
  }

  private fail(detail: string, line = this.line): SnapshotError {
    return new SnapshotError(this.file, line, detail);
  }

  /** The next line as a JSON object with a string `type`, or undefined at the end of the file. */
  private async next(): Promise<Record<string, unknown> | undefined> {
    let step: IteratorResult<Line>;
    try {
      step = await this.lines.next();
    } catch (error) {
      if (error instanceof SnapshotError) throw error;
      throw new SnapshotError(this.file, undefined, `${describeReadError(error)} (after line ${this.line}).`);
    }
    if (step.done) return undefined;
    this.line++;
    const { bytes, complete } = step.value;
    if (!complete) throw this.fail("the line is cut off: the snapshot is truncated.");
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw this.fail("the line is not valid UTF-8.");
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      throw this.fail(`the line is not valid JSON (${(error as Error).message}).`);
    }
    if (!isPlainObject(entry) || typeof entry.type !== "string") throw this.fail('the line is not a snapshot entry (an object with a "type").');
    if (entry.type !== "end") {
      this.hash.update(bytes);
      this.hash.update("\n");
    }
    return entry as Record<string, unknown>;
  }

  private async readHead(): Promise<void> {
    const header = await this.next();
    if (header === undefined) throw new SnapshotError(this.file, undefined, "the snapshot is empty.");
    if (header.type !== "header" || header.format !== SNAPSHOT_FORMAT) throw this.fail("this is not a Syncline snapshot (its first line is not a snapshot header).");
    if (typeof header.version !== "number" || !Number.isInteger(header.version) || header.version < 1) throw this.fail(`the format version ${JSON.stringify(header.version)} is not a version number.`);
    if (header.version > SNAPSHOT_VERSION) {
      throw this.fail(`the snapshot has format version ${header.version}, written by a newer Syncline; this one reads version ${SNAPSHOT_VERSION}. Upgrade Syncline to import it.`);
    }
    if (typeof header.ts !== "string" || !/^\d{1,20}$/.test(header.ts)) throw this.fail(`the header's ts ${JSON.stringify(header.ts)} is not a commit timestamp.`);
    this.ts = BigInt(header.ts);
    this.createdAt = typeof header.createdAt === "string" ? header.createdAt : "";
    for (;;) {
      const entry = await this.next();
      if (entry?.type === "schema") this.readSchema(entry);
      else if (entry?.type === "table") this.readTable(entry);
      else {
        this.pending = entry;
        return;
      }
    }
  }

  private readSchema(entry: Record<string, unknown>): void {
    if (this.userSchema !== undefined || this.tables.length > 0) throw this.fail("the schema entry must come once, before the tables.");
    const { validate, validators } = entry;
    if (typeof validate !== "boolean" || !isPlainObject(validators) || Object.values(validators).some((text) => typeof text !== "string")) {
      throw this.fail('the schema entry needs "validate" (a boolean) and "validators" (an object of strings).');
    }
    this.userSchema = { validate, validators: validators as Record<string, string> };
  }

  private readTable(entry: Record<string, unknown>): void {
    const { name, indexes } = entry;
    if (typeof name !== "string") throw this.fail('a table entry needs a "name".');
    const problem = tableNameProblem(name, true);
    if (problem !== undefined) throw this.fail(`invalid table: ${problem}.`);
    if (this.declared.has(name)) throw this.fail(`table "${name}" is declared twice.`);
    if (!Array.isArray(indexes)) throw this.fail(`table "${name}" needs a list of "indexes".`);
    const names = new Set<string>();
    const checked = indexes.map((index: unknown) => {
      const ok =
        isPlainObject(index) &&
        typeof index.name === "string" &&
        index.name !== "" &&
        Array.isArray(index.fields) &&
        index.fields.length > 0 &&
        index.fields.every((field) => typeof field === "string" && field !== "");
      if (!ok) throw this.fail(`table "${name}" has an index that is not {"name": ..., "fields": [one or more field paths]}.`);
      const index_ = index as { name: string; fields: string[] };
      if (RESERVED_INDEXES.has(index_.name)) throw this.fail(`table "${name}": index name "${index_.name}" is reserved.`);
      if (names.has(index_.name)) throw this.fail(`table "${name}" declares index "${index_.name}" twice.`);
      names.add(index_.name);
      return { name: index_.name, fields: [...index_.fields] };
    });
    this.declared.add(name);
    this.tables.push({ name, indexes: checked });
  }

  /**
   * The files and documents, in file order; checks the end line once they are through. Throws a
   * SnapshotError at the first thing wrong.
   */
  async *entries(): AsyncGenerator<SnapshotFile | SnapshotDocumentEntry> {
    let entry = this.pending;
    this.pending = undefined;
    for (;;) {
      if (entry === undefined) throw this.fail("the snapshot ends without its end line: the file is truncated.");
      const line = this.line;
      switch (entry.type) {
        case "file": {
          const file = this.readFile(entry);
          let consumed = false;
          const chunks = this.chunks(file.size, () => (consumed = true));
          yield { type: "file", line, sha256: file.sha256, size: file.size, chunks };
          if (!consumed) for await (const _ of chunks); // skipped by the caller: still checked
          break;
        }
        case "document":
          yield this.readDocument(entry);
          break;
        case "end":
          await this.readEnd(entry);
          return;
        case "schema":
        case "table":
          throw this.fail(`a ${entry.type} entry after the files or documents: the schema and tables come first.`);
        case "chunk":
          throw this.fail("a chunk entry outside a file (more chunks than the file's size).");
        default:
          throw this.fail(`unknown entry type ${JSON.stringify(entry.type)}.`);
      }
      entry = await this.next();
    }
  }

  private readFile(entry: Record<string, unknown>): { sha256: string; size: number } {
    if (this.section === "documents") throw this.fail("a file entry after the documents: files come before documents.");
    this.section = "files";
    const { sha256, size } = entry;
    if (typeof sha256 !== "string" || Buffer.from(sha256, "base64").length !== 32 || Buffer.from(sha256, "base64").toString("base64") !== sha256) {
      throw this.fail(`a file entry's sha256 ${JSON.stringify(sha256)} is not a base64 SHA-256.`);
    }
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) throw this.fail(`file ${sha256} has an invalid size ${JSON.stringify(size)}.`);
    if (this.fileDigests.has(sha256)) throw this.fail(`file ${sha256} appears twice.`);
    this.fileDigests.add(sha256);
    this.fileBytes += size;
    return { sha256, size };
  }

  private async *chunks(size: number, done: () => void): AsyncGenerator<Uint8Array> {
    const fileLine = this.line;
    let received = 0;
    while (received < size) {
      const entry = await this.next();
      if (entry === undefined) throw this.fail("the snapshot ends inside a file's contents: the file is truncated.");
      if (entry.type !== "chunk" || typeof entry.bytes !== "string") throw this.fail(`expected a chunk of the file of line ${fileLine} (${size - received} bytes still missing).`);
      const bytes = Buffer.from(entry.bytes, "base64");
      if (bytes.length === 0) throw this.fail("an empty chunk.");
      received += bytes.length;
      if (received > size) throw this.fail(`the chunks of the file of line ${fileLine} hold more than its ${size} bytes.`);
      yield bytes;
    }
    done();
  }

  private readDocument(entry: Record<string, unknown>): SnapshotDocumentEntry {
    this.section = "documents";
    const { table, value } = entry;
    if (typeof table !== "string" || !this.declared.has(table)) throw this.fail(`a document of table ${JSON.stringify(table)}, which the snapshot does not declare.`);
    if (!isPlainObject(value)) throw this.fail(`a document of table "${table}" whose value is not an object.`);
    const id = value._id;
    if (typeof id !== "string" || tableOfId(id) !== table) throw this.fail(`a document of table "${table}" with _id ${JSON.stringify(id)}, which is not an id of that table.`);
    this.documentCounts.set(table, (this.documentCounts.get(table) ?? 0) + 1);
    return { type: "document", line: this.line, table, value: value as { [key: string]: JSONValue } };
  }

  private async readEnd(entry: Record<string, unknown>): Promise<void> {
    const end = entry as Partial<EndEntry>;
    const expected = this.line - 1;
    if (end.lines !== expected) throw this.fail(`the end line counts ${JSON.stringify(end.lines)} lines before it, but there are ${expected}: lines are missing or were added.`);
    const counted = Object.fromEntries(this.documentCounts);
    const declared = isPlainObject(end.documents) ? end.documents : {};
    for (const table of new Set([...Object.keys(counted), ...Object.keys(declared)])) {
      if (counted[table] !== declared[table]) {
        throw this.fail(`the end line counts ${JSON.stringify(declared[table] ?? 0)} documents of table "${table}", but the snapshot holds ${counted[table] ?? 0}.`);
      }
    }
    if (end.files !== this.fileDigests.size || end.fileBytes !== this.fileBytes) {
      throw this.fail(`the end line counts ${JSON.stringify(end.files)} files of ${JSON.stringify(end.fileBytes)} bytes, but the snapshot holds ${this.fileDigests.size} of ${this.fileBytes}.`);
    }
    const digest = this.hash.digest("hex");
    if (end.sha256 !== digest) throw this.fail(`the checksum does not match (the end line says ${JSON.stringify(end.sha256)}, the lines before it hash to "${digest}"): the snapshot was altered or damaged.`);
    const endLine = this.line;
    const after = await this.next();
    if (after !== undefined) throw this.fail(`there is more after the end line (line ${endLine}).`);
  }
}

/** What a failed read of the compressed file means. */
function describeReadError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === "Z_BUF_ERROR" || message === "unexpected end of file") return "the compressed data ends early: the file is truncated";
  if (code === "Z_DATA_ERROR") return `the file is not gzip-compressed or its compressed data is damaged (${message})`;
  return `the file cannot be read (${message})`;
}
