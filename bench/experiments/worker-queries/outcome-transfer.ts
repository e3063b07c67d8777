// The wire between the query worker and the main thread: one message per finished batch,
// carrying for each query everything a subscription keeps (`KeptResult`) - the encoded result
// text and log lines, the journal, the snapshot timestamp, whether it used the identity, and the
// full read set. Columnar (one array per field, typed arrays for numbers) because structured
// clone pays per object: 256 results as 256 objects with nested range objects cost more to clone
// and to collect than a dozen arrays.

import type { IndexRange, ReadSet } from "../../../src/server/db/types.js";
import type { QueryOutcome } from "../../../src/server/runtime/query-outcome.js";
import type { EncodedResult } from "../../../src/server/sync/encoded-result.js";
import { encodeOutcome, type KeptResult } from "./query-runs.js";

/** One batch of outcomes, as posted. `rangeCounts[i]` is -1 for a query without a read set. */
export interface PackedBatch {
  /** Index of the batch's first query in the calls the worker was given. */
  readonly from: number;
  readonly updated: Uint8Array;
  readonly json: string[];
  readonly logLines: string[];
  readonly journal: (string | null)[];
  readonly ts: BigInt64Array;
  readonly usedIdentity: Uint8Array;
  readonly rangeCounts: Int32Array;
  readonly indexIds: Float64Array;
  readonly lows: string[];
  readonly highs: (string | undefined)[];
}

/** The text `encodeResult` gives for no log lines; kept as one shared string on the main thread. */
const NO_LOG_LINES = "[]";

/**
 * Encodes a batch's outcomes in the worker (the encoding moves off the main thread with the query).
 *
 * @example
 * port.postMessage(packBatch(outcomes, from));
 */
export function packBatch(outcomes: readonly QueryOutcome[], from: number): PackedBatch {
  const n = outcomes.length;
  let rangeTotal = 0;
  for (const outcome of outcomes) rangeTotal += outcome.readSet?.ranges.length ?? 0;
  const packed: PackedBatch = {
    from,
    updated: new Uint8Array(n),
    json: new Array<string>(n),
    logLines: new Array<string>(n),
    journal: new Array<string | null>(n),
    ts: new BigInt64Array(n),
    usedIdentity: new Uint8Array(n),
    rangeCounts: new Int32Array(n),
    indexIds: new Float64Array(rangeTotal),
    lows: new Array<string>(rangeTotal),
    highs: new Array<string | undefined>(rangeTotal),
  };
  let r = 0;
  for (let i = 0; i < n; i++) {
    const outcome = outcomes[i]!;
    const encoded = encodeOutcome(outcome, false);
    packed.updated[i] = encoded.type === "QueryUpdated" ? 1 : 0;
    packed.json[i] = encoded.json;
    packed.logLines[i] = encoded.logLines;
    packed.journal[i] = encoded.journal;
    packed.ts[i] = outcome.ts;
    packed.usedIdentity[i] = outcome.usedIdentity ? 1 : 0;
    const ranges = outcome.readSet?.ranges;
    packed.rangeCounts[i] = ranges === undefined ? -1 : ranges.length;
    for (const range of ranges ?? []) {
      packed.indexIds[r] = range.indexId;
      packed.lows[r] = range.low;
      packed.highs[r] = range.high;
      r++;
    }
  }
  return packed;
}

/**
 * Rebuilds on the main thread what a subscription keeps, in the shape the server uses (frozen
 * read sets exactly as `ReadSetBuilder.build` makes them), into `into` from index `packed.from`.
 *
 * @example
 * worker.on("message", (batch: PackedBatch) => unpackBatch(batch, kept));
 */
export function unpackBatch(packed: PackedBatch, into: KeptResult[]): void {
  let r = 0;
  for (let i = 0; i < packed.json.length; i++) {
    const logLines = packed.logLines[i]!;
    const encoded: EncodedResult = {
      type: packed.updated[i] === 1 ? "QueryUpdated" : "QueryFailed",
      json: packed.json[i]!,
      // The one shared "[]" rather than this message's copy of it, which can then be collected.
      logLines: logLines === NO_LOG_LINES ? NO_LOG_LINES : logLines,
      journal: packed.journal[i]!,
    };
    const count = packed.rangeCounts[i]!;
    let readSet: ReadSet | undefined;
    if (count >= 0) {
      const ranges = new Array<IndexRange>(count);
      for (let k = 0; k < count; k++, r++) ranges[k] = Object.freeze({ indexId: packed.indexIds[r]!, low: packed.lows[r]!, high: packed.highs[r] });
      readSet = Object.freeze({ ranges: Object.freeze(ranges) });
    }
    into[packed.from + i] = { encoded, ts: packed.ts[i]!, readSet, usedIdentity: packed.usedIdentity[i] === 1 };
  }
}
