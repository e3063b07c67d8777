// A value as an expandable tree: objects and arrays are <details> elements (native keyboard
// support: Enter and Space toggle), opened lazily, so a large result costs nothing until looked at.

import type { Value } from "../values/value.js";
import { h } from "./dom.js";
import { preview } from "./format.js";

/** Children shown per object or array; the rest is summed up in one line. */
const MAX_CHILDREN = 200;

/**
 * Renders `value`. `open` holds the paths of the expanded nodes and is updated as the user
 * toggles them, so a redraw with the same set keeps what was open.
 *
 * @example
 * const open = new Set(["$"]);
 * panel.append(valueTree(result.value, open));
 */
export function valueTree(value: Value | undefined, open: Set<string>, path = "$", label?: string): HTMLElement {
  const key = label === undefined ? null : h("span", { class: "key" }, `${label}: `);
  if (value === null || typeof value !== "object" || value instanceof ArrayBuffer) {
    return h("div", { class: "leaf" }, key, h("span", { class: `v-${kindOf(value)}` }, preview(value, 10_000)));
  }
  const entries: [string, Value][] = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value as Record<string, Value>);
  const summary = h(
    "summary",
    {},
    key,
    h("span", { class: "muted" }, Array.isArray(value) ? `Array(${entries.length})` : `{${entries.length} ${entries.length === 1 ? "key" : "keys"}}`),
    h("span", { class: "inline-preview" }, ` ${preview(value, 60)}`),
  );
  const node = h("details", { class: "branch" }, summary);
  const fill = () => {
    if (node.childElementCount > 1) return;
    const shown = entries.slice(0, MAX_CHILDREN).map(([childKey, child]) => valueTree(child, open, `${path}.${childKey}`, childKey));
    node.append(...shown);
    if (entries.length > MAX_CHILDREN) node.append(h("div", { class: "leaf muted" }, `… ${entries.length - MAX_CHILDREN} more`));
  };
  if (open.has(path)) {
    node.open = true;
    fill();
  }
  node.addEventListener("toggle", (event) => {
    if (event.target !== node) return;
    if (node.open) {
      open.add(path);
      fill();
    } else open.delete(path);
  });
  return node;
}

function kindOf(value: Value | undefined): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof ArrayBuffer) return "bytes";
  return typeof value;
}
