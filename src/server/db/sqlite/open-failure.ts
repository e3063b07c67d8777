// Why a SQLite database file could not be opened, in one line a user can act on. SQLite's own
// words ("attempt to write a readonly database", "unable to open database file") name neither
// the file nor the fix, so the file system is asked what is wrong instead: the folder missing or
// not creatable, the folder read-only (SQLite needs its -wal, -shm and .lock files beside the
// database), or the file read-only.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseOpenError } from "../open-error.js";
import { DatabaseInUseError } from "./file-lock.js";

/**
 * The error to throw for a database `file` that failed to open with `error`: a file error
 * becomes a `DatabaseOpenError` with one clear line; any other error is returned as it is.
 *
 * @example
 * openFailure("/srv/app/data.sqlite", error).message
 * // 'Cannot open the database /srv/app/data.sqlite: the file is read-only (...)'
 */
export function openFailure(file: string, error: unknown): unknown {
  if (!isFileError(error)) return error;
  const reason = diagnose(resolve(file)) ?? firstLine(error);
  return new DatabaseOpenError(`Cannot open the database ${file}: ${reason}`, { cause: error });
}

/** An error of the file system or of SQLite's file handling (not, say, a bad system table). */
function isFileError(error: unknown): boolean {
  if (error instanceof DatabaseInUseError || error instanceof DatabaseOpenError) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && (/^SQLITE_(READONLY|CANTOPEN|PERM|IOERR|NOTADB|CORRUPT|FULL)/.test(code) || /^E[A-Z]+$/.test(code));
}

function diagnose(file: string): string | undefined {
  const folder = dirname(file);
  if (!existsSync(folder)) return missingFolder(folder);
  if (!statSync(folder).isDirectory()) return `${folder} is a file, not a folder.`;
  if (!writable(folder)) {
    return `its folder ${folder} is read-only. SQLite keeps its -wal, -shm and .lock files beside the database, so the folder must be writable (or give another path with --db).`;
  }
  if (existsSync(file) && !writable(file)) return "the file is read-only. Make it writable, or give another path with --db.";
  return undefined;
}

/** A folder that does not exist: which part of its path is in the way. */
function missingFolder(folder: string): string {
  let existing = dirname(folder);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) return `its folder ${folder} cannot be created: ${existing} is a file, not a folder.`;
  if (!writable(existing)) return `its folder ${folder} does not exist and cannot be created (${existing} is read-only).`;
  return `its folder ${folder} does not exist (it was removed while the database was being opened).`;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message.split("\n")[0]!.replace(/\.$/, "")}.`;
}
