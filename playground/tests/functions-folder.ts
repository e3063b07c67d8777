// Where the playground's functions are, for `syncTest({ dir })`: a path from this file, so the
// tests run from any directory (and in DOM environments, whose URL class cannot resolve file: URLs).
import { join } from "node:path";

export const FUNCTIONS_DIR = join(import.meta.dirname, "../syncline");
