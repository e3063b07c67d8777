// Where the server using a database listens, written next to the database (and its lock) so a
// second server refused that database can say where the first one is: "stop it" is easier
// when you know which terminal's server it is, or can open its URL.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { isAlive } from "./process-alive.js";

/** What a running server records about itself. */
export interface ServerRecord {
  pid: number;
  url: string;
}

const recordFile = (dbFile: string) => `${dbFile}.server.json`;

/**
 * Records that this process serves `url` on the database `dbFile`; returns the function that
 * removes the record again (only while it is still this process's: a later server may own it).
 *
 * @example
 * const forget = recordServer(".syncline/data.sqlite", "http://127.0.0.1:3210");
 * forget(); // on close
 */
export function recordServer(dbFile: string, url: string): () => void {
  const record: ServerRecord = { pid: process.pid, url };
  try {
    writeFileSync(recordFile(dbFile), `${JSON.stringify(record)}\n`);
  } catch {
    return () => {}; // (a read-only folder: the server runs, a refused second one says less)
  }
  return () => {
    if (readServerRecord(dbFile)?.pid === process.pid) rmSync(recordFile(dbFile), { force: true });
  };
}

/**
 * The record of the server using `dbFile`, if one is there and its process still runs (a killed
 * server leaves its record behind; that one is ignored).
 *
 * @example
 * readServerRecord(".syncline/data.sqlite")?.url // "http://127.0.0.1:3210"
 */
export function readServerRecord(dbFile: string): ServerRecord | undefined {
  let record: Partial<ServerRecord>;
  try {
    record = JSON.parse(readFileSync(recordFile(dbFile), "utf8")) as Partial<ServerRecord>;
  } catch {
    return undefined; // none, or half written
  }
  if (typeof record.pid !== "number" || typeof record.url !== "string" || !isAlive(record.pid)) return undefined;
  return { pid: record.pid, url: record.url };
}
