// Plain aligned tables for the terminal.

import type { BenchResult } from "./types.js";

export type Align = "left" | "right";

/** Formats rows under headers, padding every column to its widest cell. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = headers.map((header, c) => Math.max(header.length, ...rows.map((row) => (row[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (align[c] === "right" ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Three significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The table of one suite's results. */
export function formatResults(results: readonly BenchResult[]): string {
  const peers = [...new Set(results.flatMap((r) => (r.peer ? [r.peer.name] : [])))];
  const peerHeader = peers.length === 1 ? `${peers[0]} median` : "peer median";
  const headers = ["benchmark", "syncline median", "syncline p99", peerHeader, "ratio", "samples"];
  const rows = results.map((r) => [
    r.label,
    `${formatNumber(r.syncline.median)} ${r.unit}`,
    r.syncline.p99 === undefined ? "-" : `${formatNumber(r.syncline.p99)} ${r.unit}`,
    r.peer ? `${formatNumber(r.peer.median)} ${r.unit}${peers.length > 1 ? ` (${r.peer.name})` : ""}` : "-",
    r.ratio === undefined ? "-" : `${r.ratio.toFixed(2)}x`,
    r.samples === undefined ? "-" : String(r.samples),
  ]);
  return formatTable(headers, rows, ["left", "right", "right", "right", "right", "right"]);
}
