// Paths to the offending part of a value, as errors print them: `args.items[3].when`.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** One step into a value: an array index or an object field. */
export type PathSegment = number | string;

/** Formats `root` plus segments as `root.field[2]["odd key"]`. */
export function formatPath(root: string, segments: readonly PathSegment[]): string {
  let out = root;
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * An error found somewhere inside a value. It collects the path while it travels up the
 * recursion (each level adds its segment), so the happy path never builds path strings.
 */
export class ValuePathError extends Error {
  readonly segments: PathSegment[] = [];
  constructor(readonly problem: string) {
    super(problem);
    this.name = "ValuePathError";
  }
  /** Prepends the segment of the level that caught it and rethrows. */
  within(segment: PathSegment): never {
    this.segments.unshift(segment);
    throw this;
  }
}

/** The error users see: `args.items[3].when: Date is not a supported value`. */
export class ValueError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path === "" ? problem : `${path}: ${problem}`);
    this.name = "ValueError";
  }
}

/** Turns a ValuePathError caught at the top into a ValueError rooted at `root`. */
export function rootPathError(error: unknown, root: string): unknown {
  if (error instanceof ValuePathError) return new ValueError(formatPath(root, error.segments), error.problem);
  return error;
}
