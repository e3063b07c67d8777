// Small text forms of values and times for the panel: one-line previews, sizes, durations.

import type { Value } from "../values/value.js";

/**
 * A one-line preview of a value, cut at `max` characters.
 *
 * @example
 * preview({ room: "general", n: 1n }) // '{room: "general", n: 1n}'
 */
export function preview(value: Value | undefined, max = 80): string {
  const text = previewOf(value, 2);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function previewOf(value: Value | undefined, depth: number): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object") return String(value);
  if (value instanceof ArrayBuffer) return `bytes(${value.byteLength})`;
  if (Array.isArray(value)) return depth === 0 ? `[…${value.length}]` : `[${value.map((item) => previewOf(item, depth - 1)).join(", ")}]`;
  const keys = Object.keys(value);
  if (depth === 0) return keys.length === 0 ? "{}" : "{…}";
  return `{${keys.map((key) => `${key}: ${previewOf((value as Record<string, Value>)[key], depth - 1)}`).join(", ")}}`;
}

/**
 * The size of a value as JSON text in UTF-8 (int64 and bytes counted as their text form).
 *
 * @example
 * byteSize({ a: "é" }) // 10: {"a":"é"}
 */
export function byteSize(value: Value | undefined): number {
  return value === undefined ? 0 : new TextEncoder().encode(jsonText(value)).length;
}

/**
 * A value as JSON text; int64 and bytes, which JSON has no form for, as `1n` and `bytes(n)`.
 *
 * @example
 * jsonText({ n: 1n }) // '{"n":"1n"}'
 */
export function jsonText(value: Value | undefined): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof ArrayBuffer ? `bytes(${v.byteLength})` : v));
}

/**
 * Bytes as B, KB or MB.
 *
 * @example
 * formatBytes(2048) // "2.0 KB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A duration in ms or s.
 *
 * @example
 * formatDuration(1530) // "1.53 s"
 */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * How long ago `at` was, in a few characters.
 *
 * @example
 * ago(Date.now() - 65_000) // "1m ago"
 */
export function ago(at: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 1) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  return `${Math.floor(seconds / 3600)}h ago`;
}

/**
 * A wall-clock time with milliseconds, for logs and histories.
 *
 * @example
 * clock(Date.now()) // "14:03:07.120"
 */
export function clock(at: number): string {
  const date = new Date(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}
