// What a query run returns: its own module, so the runtime that makes it and the query cache
// that keeps it both import it without importing each other.

import type { ReadSet, Timestamp } from "../db/types.js";
import type { Outcome } from "./outcome.js";

/** A query's outcome plus what it read and at which snapshot, for live updates. */
export type QueryOutcome = Outcome & {
  readonly ts: Timestamp;
  readonly readSet: ReadSet | undefined;
  /** The pagination journal to reproduce this result's page bounds (protocol.md §14). */
  readonly journal?: string;
  /** The query asked for the caller's identity. */
  readonly usedIdentity: boolean;
};
