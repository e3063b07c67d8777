// The contract between bench/run.ts and the suites.

/** One row of a suite's table: Syncline against the official peer, measured in the same run. */
export interface BenchResult {
  /** What was measured, e.g. "encode+decode 10 KB document". */
  label: string;
  /** The unit of every number in this row ("µs", "ms", ...). Lower is better. */
  unit: string;
  /** Syncline's median, and its 99th percentile when the samples make it meaningful. */
  syncline: { median: number; p99?: number };
  /** The peer's median in the same run, when there is a peer for this row. */
  peer?: { name: string; median: number };
  /** syncline.median / peer.median: below 1.0 means Syncline is faster. */
  ratio?: number;
  /** Samples behind the numbers (for the reader's confidence). */
  samples?: number;
}

export interface BenchOptions {
  /** Shorter runs, for a smoke test (`npm run bench -- --quick`). */
  quick: boolean;
}

/** A benchmark suite: a module whose default export is one of these, registered in bench/run.ts. */
export interface Suite {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchResult[]>;
}
