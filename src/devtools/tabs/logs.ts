// The Logs tab: the functions' console lines, with time, level and function, filterable by text
// and by lowest level. Follows new lines while scrolled to the bottom.

import { h, setText, syncList } from "../dom.js";
import { clock } from "../format.js";
import type { DevtoolsStore, LogEntry } from "../store.js";
import type { Tab } from "./tab.js";

const RANK: Record<string, number> = { debug: 0, info: 1, log: 1, warn: 2, error: 3 };

/**
 * @example
 * const tab = logsTab(store);
 * tab.render(Date.now());
 */
export function logsTab(store: DevtoolsStore): Tab {
  const rerender = () => tab.render(Date.now());
  const filter = h("input", { type: "search", placeholder: "Filter by function or text", "aria-label": "Filter log lines", oninput: rerender });
  const level = h(
    "select",
    { "aria-label": "Lowest level shown", onchange: rerender },
    h("option", { value: "debug" }, "All levels"),
    h("option", { value: "log" }, "Log and above"),
    h("option", { value: "warn" }, "Warnings and errors"),
    h("option", { value: "error" }, "Errors"),
  );
  const shown = h("span", { class: "muted" });
  const list = h("div", { role: "log", "aria-label": "Function log lines", class: "mono" });
  const empty = h("div", { class: "empty" });
  const element = h("div", { class: "logs" }, h("div", { class: "toolbar" }, filter, level, shown), list, empty);
  const elements = new Map<string | number, HTMLElement>();

  const create = (entry: LogEntry) =>
    h(
      "div",
      { class: `log ${entry.level}`, "data-level": entry.level },
      h("span", { class: "muted" }, clock(entry.at)),
      h("span", { class: `level lv-${entry.level}` }, entry.level),
      h("span", { class: "name", title: `${entry.kind} ${entry.name}` }, entry.name),
      h("span", { class: "message" }, entry.message),
    );

  const tab: Tab = {
    id: "logs",
    label: "Logs",
    element,
    count: () => store.logs.length || null,
    render() {
      const scroller = element.parentElement;
      const atBottom = scroller === null || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
      const needle = filter.value.trim().toLowerCase();
      const lowest = RANK[level.value] ?? 0;
      const matching = store.logs.filter(
        (entry) => RANK[entry.level]! >= lowest && (needle === "" || entry.name.toLowerCase().includes(needle) || entry.message.toLowerCase().includes(needle)),
      );
      syncList(list, matching, (entry) => entry.seq, create, () => {}, elements);
      setText(shown, `${matching.length} of ${store.logs.length} lines`);
      setText(empty, store.logs.length === 0 ? "No log lines yet: a function's console.log lines appear here." : "No line matches the filter.");
      empty.hidden = matching.length > 0;
      if (atBottom && scroller !== null) scroller.scrollTop = scroller.scrollHeight;
    },
  };
  return tab;
}
