// Reads what `tsc --pretty false` prints and turns it into the lines `syncline dev` shows. That
// format is stable across TypeScript versions: `file(line,col): error TSxxxx: message`, one
// diagnostic per line, its elaboration on following lines indented by two spaces, and
// `error TSxxxx: message` for diagnostics about no file (bad options, missing type packages).

import { isAbsolute, relative, resolve, sep } from "node:path";

export interface TscDiagnostic {
  /** Absolute path, or undefined for a diagnostic about the configuration. */
  file?: string;
  line?: number;
  column?: number;
  category: string;
  code: number;
  /** The message; its elaboration lines follow after newlines. */
  message: string;
}

const IN_FILE = /^(.+)\((\d+),(\d+)\): (error|warning|message) TS(\d+): (.*)$/;
const NO_FILE = /^(error|warning|message) TS(\d+): (.*)$/;

/** Parses tsc's output; its file names are relative to `cwd`, the folder tsc ran in. */
export function parseTscOutput(output: string, cwd: string): TscDiagnostic[] {
  const diagnostics: TscDiagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const inFile = IN_FILE.exec(line);
    const noFile = inFile ? null : NO_FILE.exec(line);
    if (inFile) {
      const [, file, row, column, category, code, message] = inFile;
      diagnostics.push({ file: resolve(cwd, file!), line: Number(row), column: Number(column), category: category!, code: Number(code), message: message! });
    } else if (noFile) {
      const [, category, code, message] = noFile;
      diagnostics.push({ category: category!, code: Number(code), message: message! });
    } else if (/^\s/.test(line) && diagnostics.length > 0 && line.trim() !== "") {
      diagnostics[diagnostics.length - 1]!.message += `\n${line}`;
    }
  }
  return diagnostics;
}

/**
 * Whether `syncline dev` shows a diagnostic: those in the functions folder (`_generated/`
 * included), and those about the configuration (no file, or TS5xxx - an option or tsconfig
 * problem, which means the functions could not be checked properly). Not the rest: files
 * outside the folder belong to the app, which has its own checks, and a project's config often
 * pulls in app code the functions' settings were never meant for.
 */
export function isReported(diagnostic: TscDiagnostic, dir: string): boolean {
  if (diagnostic.file === undefined || (diagnostic.code >= 5000 && diagnostic.code < 6000)) return true;
  const path = relative(dir, diagnostic.file);
  return path !== "" && path !== ".." && !path.startsWith(`..${sep}`) && !isAbsolute(path);
}

/**
 * How many of the functions' own source files (not `_generated/`) a check covered, from the file
 * list `--listFiles` adds to tsc's output (one absolute path a line).
 *
 * @example
 * countFunctionsFiles("/app/syncline/a.ts\n/app/node_modules/x/index.d.ts\n", "/app/syncline") // 1
 */
export function countFunctionsFiles(output: string, dir: string): number {
  let count = 0;
  for (const line of output.split(/\r?\n/)) {
    if (!isAbsolute(line)) continue;
    const path = relative(dir, line);
    if (path !== "" && !path.startsWith("..") && !isAbsolute(path) && path.split(sep)[0] !== "_generated") count++;
  }
  return count;
}

/** `syncline/a.ts:2:7 - error TS2322: message`, the path relative to `projectRoot`. */
export function formatDiagnostic(diagnostic: TscDiagnostic, projectRoot: string): string {
  const where = diagnostic.file === undefined ? "" : `${relative(projectRoot, diagnostic.file)}:${diagnostic.line}:${diagnostic.column} - `;
  return `${where}${diagnostic.category} TS${diagnostic.code}: ${diagnostic.message.replaceAll("\n", "\n  ")}`;
}
