// Where in the user's source an error was thrown: the first stack frame in the functions folder.
// Bundles carry inline source maps and the loader turns source maps on, so frames name the `.ts`
// file, line and column the user wrote, not the bundle's.

import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** A place in a source file; line and column count from 1. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

// `    at fn (/abs/file.ts:6:24)`, `    at /abs/file.ts:6:24`, and the same with file:// URLs.
const FRAME = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * The first frame of `error`'s stack inside `dir` (outside its `_generated/`), or undefined when
 * it has none there (not an Error, or thrown and called from other code only).
 *
 * @example
 * throwSite(error, "/app/syncline") // { file: "/app/syncline/messages.ts", line: 6, column: 24 }
 */
export function throwSite(error: unknown, dir: string): SourcePosition | undefined {
  if (!(error instanceof Error) || typeof error.stack !== "string") return undefined;
  for (const line of error.stack.split("\n")) {
    const frame = FRAME.exec(line);
    if (frame === null) continue;
    const file = frame[1]!.startsWith("file://") ? fileURLToPath(frame[1]!) : frame[1]!;
    const inside = relative(dir, file);
    if (!isAbsolute(file) || inside.startsWith("..") || isAbsolute(inside) || inside.split(sep)[0] === "_generated") continue;
    return { file, line: Number(frame[2]), column: Number(frame[3]) };
  }
  return undefined;
}
