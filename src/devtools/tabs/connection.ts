// The Connection tab: the connection's state, server and session, the last times something
// happened, a "Reconnect now" button, and the history of sockets opening and closing with the
// reasons and the backoff waited before each new attempt.

import type { SynclineClient } from "../../client/client.js";
import { h, setText, syncList } from "../dom.js";
import { ago, clock, formatDuration } from "../format.js";
import type { DevtoolsStore, SocketEntry } from "../store.js";
import type { Tab } from "./tab.js";

/** "connected", "reconnecting", "connecting" or "closed", from the store's connection state. */
export function connectionLabel(store: DevtoolsStore): "connected" | "reconnecting" | "connecting" | "closed" {
  const state = store.connection;
  if (state === null) return "connecting";
  if (state.isClosed) return "closed";
  if (state.isConnected) return "connected";
  return state.isReconnecting ? "reconnecting" : "connecting";
}

/**
 * @example
 * const tab = connectionTab(store, client);
 * tab.render(Date.now());
 */
export function connectionTab(store: DevtoolsStore, client: SynclineClient): Tab {
  const facts = new Map<string, HTMLElement>();
  const fact = (label: string) => {
    const value = h("dd", {});
    facts.set(label, value);
    return [h("dt", {}, label), value];
  };
  const labels = ["State", "Server", "Session id", "Sockets opened", "Failed attempts", "In flight", "Last socket opened", "Last socket closed", "Last close reason", "Last event"];
  const reconnect = h("button", { type: "button", class: "button primary", onclick: () => client.reconnectNow() }, "Reconnect now");
  const history = h("tbody", {});
  const empty = h("div", { class: "empty" }, "No socket opened or closed since the panel started.");
  const element = h(
    "div",
    { class: "connection" },
    h("div", { class: "toolbar" }, reconnect, h("span", { class: "muted" }, "Connects at once when the client is waiting to reconnect.")),
    h("dl", { class: "facts" }, ...labels.flatMap(fact)),
    h("div", { class: "section" }, "Socket history (newest first)"),
    h("table", {}, h("thead", {}, h("tr", {}, ...["Time", "Event", "Reason", "Code", "Next attempt in", "Socket #"].map((t) => h("th", {}, t)))), history),
    empty,
  );
  const elements = new Map<string | number, HTMLElement>();
  const row = (entry: SocketEntry) =>
    h(
      "tr",
      {},
      h("td", { class: "mono" }, clock(entry.at)),
      h("td", {}, h("span", { class: `badge ${entry.event === "opened" ? "ok" : "error"}` }, entry.event)),
      h("td", {}, entry.reason ?? "–"),
      h("td", { class: "mono" }, entry.code === undefined ? "" : String(entry.code)),
      h("td", { class: "mono" }, entry.reconnectInMs === undefined ? "" : formatDuration(entry.reconnectInMs)),
      h("td", { class: "mono" }, entry.connectionCount === undefined ? "" : String(entry.connectionCount)),
    );
  const when = (at: number | undefined, now: number) => (at === undefined ? "–" : `${clock(at)} (${ago(at, now)})`);

  return {
    id: "connection",
    label: "Connection",
    element,
    count: () => null,
    render(now) {
      const state = store.connection;
      const label = connectionLabel(store);
      const set = (name: string, text: string) => setText(facts.get(name)!, text);
      set("State", label);
      facts.get("State")!.dataset.state = label;
      set("Server", store.url);
      set("Session id", store.sessionId);
      set("Sockets opened", String(state?.connectionCount ?? 0));
      set("Failed attempts", String(state?.retries ?? 0));
      set("In flight", `${state?.inflightMutations ?? 0} mutation(s), ${state?.inflightActions ?? 0} action(s)`);
      set("Last socket opened", when(store.sockets.find((entry) => entry.event === "opened")?.at, now));
      set("Last socket closed", when(store.sockets.find((entry) => entry.event === "closed")?.at, now));
      set("Last close reason", store.lastCloseReason ?? "–");
      set("Last event", when(store.lastEventAt ?? undefined, now));
      reconnect.disabled = label === "connected" || label === "closed";
      syncList(history, store.sockets, (entry) => entry.seq, row, () => {}, elements);
      empty.hidden = store.sockets.length > 0;
    },
  };
}
