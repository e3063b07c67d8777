// Progress lines: drawn in place on a terminal (throttled, erased at the end), nothing at all
// when the output is a pipe or a file.

import { describe, expect, it } from "vitest";
import { describeProgress, terminalProgress } from "../../../src/server/snapshot/progress.js";

const progress = { tables: 1, tableCount: 3, documents: 12_345, files: 2, bytes: 2_000_000 };

describe("progress", () => {
  it("describes tables, documents, files and bytes (with the share done when the total is known)", () => {
    expect(describeProgress("Exporting", progress)).toBe("Exporting: 1/3 tables, 12,345 documents, 2 files, 2.0 MB");
    expect(describeProgress("Importing", { ...progress, totalBytes: 8_000_000 })).toBe("Importing: 1/3 tables, 12,345 documents, 2 files, 2.0 of 8.0 MB (25%)");
  });

  it("draws on a terminal, at most every 100 ms, and erases its line when finished", () => {
    const written: string[] = [];
    const reporter = terminalProgress("Exporting", { isTTY: true, write: (text: string) => written.push(text) })!;
    reporter.update(progress);
    reporter.update({ ...progress, documents: 20_000 }); // within 100 ms: skipped
    reporter.finish();
    expect(written).toEqual(["\rExporting: 1/3 tables, 12,345 documents, 2 files, 2.0 MB\x1b[K", "\r\x1b[K"]);
  });

  it("is silent when the stream is not a terminal", () => {
    expect(terminalProgress("Exporting", { write: () => expect.unreachable() })).toBeUndefined();
    expect(terminalProgress("Exporting", { isTTY: false, write: () => expect.unreachable() })).toBeUndefined();
  });
});
