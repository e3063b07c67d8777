// The Queries tab: every query the client holds, with its arguments, subscribers, status, size,
// when its result last changed and how often; filterable by name, each row opening to show its
// result and arguments as trees. A row lights up for a moment when its result changes.

import { h, setText, syncList } from "../dom.js";
import { ago, formatBytes, preview } from "../format.js";
import type { DevtoolsStore, QueryEntry } from "../store.js";
import { valueTree } from "../tree.js";
import { detailSection, expandableRow, type ExpandableRow } from "./expandable-row.js";
import type { Tab } from "./tab.js";

interface QueryRow extends ExpandableRow {
  readonly cells: { args: HTMLElement; refs: HTMLElement; status: HTMLElement; size: HTMLElement; changed: HTMLElement; changes: HTMLElement };
  entry: QueryEntry;
  changedAt: number | null;
}

/**
 * @example
 * const tab = queriesTab(store);
 * tab.render(Date.now());
 */
export function queriesTab(store: DevtoolsStore): Tab {
  const filter = h("input", { type: "search", placeholder: "Filter by name", "aria-label": "Filter queries by name", oninput: () => tab.render(Date.now()) });
  const shown = h("span", { class: "muted" });
  const list = h("div", { class: "rows", role: "list", "aria-label": "Queries" });
  const empty = h("div", { class: "empty" });
  const heading = h("div", { class: "heading", "aria-hidden": "true" }, ...["Query", "Arguments", "Refs", "Status", "Size", "Changed", "Count"].map((t) => h("span", {}, t)));
  const element = h("div", { class: "queries" }, h("div", { class: "toolbar" }, filter, shown), heading, list, empty);
  const rows = new Map<string | number, QueryRow>();
  const elements = new Map<string | number, HTMLDetailsElement>();

  const create = (entry: QueryEntry): QueryRow => {
    const cells = {
      args: h("span", { class: "args" }),
      refs: h("span", { class: "num", title: "Subscribers" }),
      status: h("span", {}),
      size: h("span", { class: "num" }),
      changed: h("span", { class: "muted" }),
      changes: h("span", { class: "num", title: "Times the result changed" }),
    };
    const open = new Set(["$"]);
    const argsOpen = new Set(["$"]);
    const row: QueryRow = Object.assign(
      expandableRow([h("span", { class: "name", title: entry.name }, entry.name), cells.args, cells.refs, cells.status, cells.size, cells.changed, cells.changes], () => {
        const { result, args } = row.entry;
        return [
          result.status === "error"
            ? detailSection("Error", h("div", { class: "error-text" }, result.error.message))
            : detailSection(row.entry.optimistic ? "Result (optimistic)" : "Result", h("div", { class: "tree" }, result.status === "loading" ? h("span", { class: "muted" }, "loading…") : valueTree(result.value, open))),
          detailSection("Arguments", h("div", { class: "tree" }, valueTree(args, argsOpen))),
        ];
      }),
      { cells, entry, changedAt: entry.changedAt },
    );
    row.element.setAttribute("role", "listitem");
    row.element.dataset.query = entry.name;
    rows.set(entry.queryId, row);
    return row;
  };

  const update = (row: QueryRow, entry: QueryEntry, now: number) => {
    row.entry = entry;
    const { cells } = row;
    const { result } = entry;
    setText(cells.args, preview(entry.args));
    setText(cells.refs, String(entry.refCount));
    const status = result.status === "success" && entry.optimistic ? "optimistic" : result.status;
    if (cells.status.firstElementChild?.textContent !== status) cells.status.replaceChildren(h("span", { class: `badge ${status}` }, status));
    setText(cells.size, entry.size === null ? "–" : formatBytes(entry.size));
    setText(cells.changed, entry.changedAt === null ? "–" : ago(entry.changedAt, now));
    cells.changed.title = entry.changedAt === null ? "" : new Date(entry.changedAt).toLocaleString();
    setText(cells.changes, String(entry.changes));
    if (entry.changedAt !== row.changedAt) {
      if (row.changedAt !== null) row.flash();
      row.changedAt = entry.changedAt;
    }
    row.refresh(entry.revision);
  };

  const tab: Tab = {
    id: "queries",
    label: "Queries",
    element,
    count: () => store.queries.size,
    render(now) {
      const needle = filter.value.trim().toLowerCase();
      const all = [...store.queries.values()];
      const matching = needle === "" ? all : all.filter((entry) => entry.name.toLowerCase().includes(needle));
      syncList(list, matching, (entry) => entry.queryId, (entry) => create(entry).element, (element, entry) => update(rows.get(entry.queryId)!, entry, now), elements);
      for (const id of rows.keys()) if (!elements.has(id)) rows.delete(id);
      setText(shown, needle === "" ? `${all.length} ${all.length === 1 ? "query" : "queries"}` : `${matching.length} of ${all.length}`);
      setText(empty, all.length === 0 ? "No queries yet: they appear here as components subscribe." : matching.length === 0 ? "No query matches the filter." : "");
      empty.hidden = matching.length > 0;
    },
  };
  return tab;
}
