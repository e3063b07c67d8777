// The Mutations & actions tab: the requests in flight, then the last finished ones (newest first),
// with arguments, duration, result or error, whether an optimistic update was applied, and the
// request id. A row opens to show arguments and result as trees.

import { h, setText, syncList } from "../dom.js";
import { clock, formatDuration, preview } from "../format.js";
import type { DevtoolsStore, RequestEntry } from "../store.js";
import { LIMITS } from "../store.js";
import { valueTree } from "../tree.js";
import { detailSection, expandableRow, type ExpandableRow } from "./expandable-row.js";
import type { Tab } from "./tab.js";

interface RequestRow extends ExpandableRow {
  readonly cells: { status: HTMLElement; duration: HTMLElement; outcome: HTMLElement };
  entry: RequestEntry;
}

/**
 * @example
 * const tab = requestsTab(store);
 * tab.render(Date.now());
 */
export function requestsTab(store: DevtoolsStore): Tab {
  const filter = h("input", { type: "search", placeholder: "Filter by name", "aria-label": "Filter mutations and actions by name", oninput: () => tab.render(Date.now()) });
  const summary = h("span", { class: "muted" });
  const list = h("div", { class: "rows", role: "list", "aria-label": "Mutations and actions" });
  const empty = h("div", { class: "empty" });
  const heading = h("div", { class: "heading", "aria-hidden": "true" }, ...["", "Kind", "Function", "Arguments", "Duration", "Id", "Optim.", "Result"].map((t) => h("span", {}, t)));
  const element = h("div", { class: "requests" }, h("div", { class: "toolbar" }, filter, summary), heading, list, empty);
  const rows = new Map<string | number, RequestRow>();
  const elements = new Map<string | number, HTMLDetailsElement>();

  const create = (entry: RequestEntry): RequestRow => {
    const cells = { status: h("span", {}), duration: h("span", { class: "num" }), outcome: h("span", { class: "args" }) };
    const open = new Set(["$"]);
    const argsOpen = new Set(["$"]);
    const row: RequestRow = Object.assign(
      expandableRow(
        [
          cells.status,
          h("span", { class: "muted" }, entry.kind),
          h("span", { class: "name", title: entry.name }, entry.name),
          h("span", { class: "args" }, preview(entry.args)),
          cells.duration,
          h("span", { class: "num mono", title: "Request id" }, String(entry.requestId)),
          h("span", { class: entry.optimistic ? "badge optimistic" : "muted", title: "Optimistic update applied" }, entry.optimistic ? "yes" : "no"),
          cells.outcome,
        ],
        () => {
          const { outcome, calledAt, settledAt } = row.entry;
          const times = h("div", { class: "muted" }, `called ${clock(calledAt)}${settledAt === null ? ", in flight" : `, settled ${clock(settledAt)}`}`);
          const result =
            outcome === null
              ? detailSection("Result", h("span", { class: "muted" }, "in flight…"))
              : outcome.ok
                ? detailSection("Result", h("div", { class: "tree" }, valueTree(outcome.value, open)))
                : detailSection(
                    "Error",
                    h("div", { class: "error-text" }, outcome.error),
                    outcome.errorData === undefined ? null : h("div", { class: "tree" }, valueTree(outcome.errorData, open, "$", "data")),
                  );
          return [times, detailSection("Arguments", h("div", { class: "tree" }, valueTree(row.entry.args, argsOpen))), result];
        },
      ),
      { cells, entry },
    );
    row.element.setAttribute("role", "listitem");
    rows.set(entry.requestId, row);
    return row;
  };

  const update = (row: RequestRow, entry: RequestEntry, now: number) => {
    row.entry = entry;
    const { outcome } = entry;
    const state = outcome === null ? "pending" : outcome.ok ? "ok" : "error";
    if (row.element.dataset.state !== state) {
      row.element.dataset.state = state;
      row.cells.status.replaceChildren(h("span", { class: `badge ${state}`, title: state, "aria-label": state }, state === "pending" ? "…" : state === "ok" ? "✓" : "✕"));
    }
    setText(row.cells.duration, formatDuration((entry.settledAt ?? now) - entry.calledAt));
    setText(row.cells.outcome, outcome === null ? "" : outcome.ok ? preview(outcome.value) : outcome.error);
    row.cells.outcome.classList.toggle("error-text", outcome !== null && !outcome.ok);
    row.refresh(outcome === null ? 0 : 1);
  };

  const tab: Tab = {
    id: "requests",
    label: "Mutations & actions",
    element,
    count: () => store.inflight.size || null,
    render(now) {
      const needle = filter.value.trim().toLowerCase();
      const all = [...[...store.inflight.values()].reverse(), ...store.finished];
      const matching = needle === "" ? all : all.filter((entry) => entry.name.toLowerCase().includes(needle));
      syncList(list, matching, (entry) => entry.requestId, (entry) => create(entry).element, (_, entry) => update(rows.get(entry.requestId)!, entry, now), elements);
      for (const id of rows.keys()) if (!elements.has(id)) rows.delete(id);
      setText(summary, `${store.inflight.size} in flight · last ${store.finished.length} finished (up to ${LIMITS.finishedRequests} kept)`);
      setText(empty, all.length === 0 ? "No mutation or action called yet." : "No request matches the filter.");
      empty.hidden = matching.length > 0;
    },
  };
  return tab;
}
