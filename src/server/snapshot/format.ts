// The snapshot file format, version 1 (README "Backup and moving data"): gzip-compressed JSON
// Lines, one entry per line, in this order -
//
//   {"type":"header","format":"syncline-snapshot","version":1,"ts":"<commit ts, decimal ns>","createdAt":"<ISO time>"}
//   {"type":"schema","validate":true,"validators":{"<table>":"<validator JSON>"}}     (when a schema is installed)
//   {"type":"table","name":"<table>","indexes":[{"name":"by_room","fields":["room"]}]} (every table, system ones too)
//   {"type":"file","sha256":"<base64>","size":<bytes>}                                (each stored file's contents once,
//   {"type":"chunk","bytes":"<base64 of up to 48 KiB>"}                                 followed by its chunks)
//   {"type":"document","table":"<table>","value":<the document, encodeValue form>}    (every document)
//   {"type":"end","lines":<n>,"documents":{"<table>":<n>},"files":<n>,"fileBytes":<n>,"sha256":"<hex>"}
//
// Values use the wire encoding (`$integer`, `$float`, `$bytes`), so int64, bytes and every float64
// (NaN, -0, Infinity) come back exactly. The end line counts what came before it and carries the
// SHA-256 of every byte of the (uncompressed) lines before it, so a truncated or altered file is
// refused; gzip's own CRC catches damage to the compressed bytes.

import type { InstalledSchema, SnapshotTable } from "../db/types.js";
import type { JSONValue } from "../../values/value.js";

export const SNAPSHOT_FORMAT = "syncline-snapshot";
export const SNAPSHOT_VERSION = 1;

/** Bytes of file contents per chunk line (64 KiB of base64). */
export const CHUNK_BYTES = 48 * 1024;

/** The longest line a reader accepts: a 1 MiB document of escaped text is a few MiB. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

export interface HeaderEntry {
  type: "header";
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** The commit timestamp of the snapshot (u64 nanoseconds as a decimal string). */
  ts: string;
  createdAt: string;
}

export interface SchemaEntry extends InstalledSchema {
  type: "schema";
}

export interface TableEntry extends SnapshotTable {
  type: "table";
}

export interface FileEntry {
  type: "file";
  /** The contents' SHA-256 in base64, as `_storage` rows name it. */
  sha256: string;
  size: number;
}

export interface ChunkEntry {
  type: "chunk";
  bytes: string;
}

export interface DocumentEntry {
  type: "document";
  table: string;
  value: { [key: string]: JSONValue };
}

export interface EndEntry {
  type: "end";
  /** Lines before this one. */
  lines: number;
  /** Documents per table (tables without documents left out). */
  documents: Record<string, number>;
  files: number;
  fileBytes: number;
  /** Hex SHA-256 of every line before this one, each with its "\n". */
  sha256: string;
}
