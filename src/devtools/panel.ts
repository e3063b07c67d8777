// The panel's frame: a small floating button while closed (it covers nothing else), a resizable
// panel docked at the bottom while open, tabs along its top. Keyboard: the button and every
// control are focusable, arrow keys move between tabs (roving tabindex, WAI-ARIA tabs pattern),
// arrow keys resize the panel from its resize handle, Escape closes it and gives focus back to the
// button. Redraws are batched into one per animation frame, and happen only while open.

import type { SynclineClient } from "../client/client.js";
import { h, setText } from "./dom.js";
import { loadSettings, saveSettings, type PanelSettings } from "./settings.js";
import type { DevtoolsStore } from "./store.js";
import { STYLES } from "./styles.js";
import { authTab } from "./tabs/auth.js";
import { connectionLabel, connectionTab } from "./tabs/connection.js";
import { logsTab } from "./tabs/logs.js";
import { queriesTab } from "./tabs/queries.js";
import { requestsTab } from "./tabs/requests.js";
import type { Tab } from "./tabs/tab.js";

export interface PanelOptions {
  initialIsOpen: boolean;
  storageKey: string | null;
}

export const MIN_HEIGHT = 120;
const DEFAULT_HEIGHT = 320;
const KEYBOARD_STEP = 24;

const LOGO = `<svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M4 12a8 8 0 0 1 13.7-5.6L20 8.7"/><path d="M20 4v4.7h-4.7"/><path d="M20 12a8 8 0 0 1-13.7 5.6L4 15.3"/><path d="M4 20v-4.7h4.7"/></svg>`;

/**
 * The panel inside `root` (a shadow root).
 *
 * @example
 * const panel = new DevtoolsPanel(shadowRoot, store, client, { initialIsOpen: false, storageKey: "syncline-devtools" });
 * panel.open();
 */
export class DevtoolsPanel {
  readonly #root: ShadowRoot;
  readonly #store: DevtoolsStore;
  readonly #storageKey: string | null;
  readonly #settings: PanelSettings;
  readonly #tabs: Tab[];
  readonly #toggle: HTMLButtonElement;
  readonly #panel: HTMLElement;
  readonly #resize: HTMLElement;
  readonly #tabButtons = new Map<string, HTMLButtonElement>();
  readonly #tabPanel: HTMLElement;
  readonly #dots: HTMLElement[];
  readonly #cleanups: (() => void)[] = [];
  #frame: number | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(root: ShadowRoot, store: DevtoolsStore, client: SynclineClient, options: PanelOptions) {
    this.#root = root;
    this.#store = store;
    this.#storageKey = options.storageKey;
    this.#settings = loadSettings(options.storageKey, { open: options.initialIsOpen, height: DEFAULT_HEIGHT, tab: "queries" });
    this.#tabs = [queriesTab(store), requestsTab(store), logsTab(store), connectionTab(store, client), authTab(store)];
    if (!this.#tabs.some((tab) => tab.id === this.#settings.tab)) this.#settings.tab = "queries";

    const toggleDot = h("span", { class: "dot" });
    this.#toggle = h("button", {
      type: "button",
      class: "toggle",
      "aria-label": "Open Syncline devtools",
      "aria-controls": "syncline-devtools-panel",
      "aria-expanded": "false",
      title: "Syncline devtools",
      onclick: () => this.open(),
    });
    this.#toggle.innerHTML = LOGO;
    this.#toggle.append(toggleDot);

    const tablist = h("div", { role: "tablist", "aria-label": "Devtools views", onkeydown: (event) => this.#onTabKey(event as KeyboardEvent) });
    for (const tab of this.#tabs) {
      const button = h("button", { type: "button", role: "tab", id: `tab-${tab.id}`, "aria-controls": "syncline-devtools-tabpanel", onclick: () => this.select(tab.id) }, tab.label, h("span", { class: "count" }));
      this.#tabButtons.set(tab.id, button);
      tablist.append(button);
    }
    const headerDot = h("span", { class: "dot" });
    this.#dots = [toggleDot, headerDot];
    this.#resize = h("div", {
      class: "resize",
      role: "separator",
      "aria-orientation": "horizontal",
      "aria-label": "Resize the devtools panel",
      "aria-valuemin": MIN_HEIGHT,
      tabindex: 0,
      onkeydown: (event) => this.#onResizeKey(event as KeyboardEvent),
      onpointerdown: (event) => this.#startDrag(event as PointerEvent),
    });
    this.#tabPanel = h("div", { role: "tabpanel", id: "syncline-devtools-tabpanel", tabindex: 0 });
    this.#panel = h(
      "section",
      { class: "panel", id: "syncline-devtools-panel", "aria-label": "Syncline devtools", hidden: true },
      this.#resize,
      h(
        "header",
        {},
        h("span", { class: "brand" }, headerDot, "Syncline"),
        tablist,
        h("button", { type: "button", class: "icon-button", "aria-label": "Close Syncline devtools", title: "Close (Esc)", onclick: () => this.close() }, "×"),
      ),
      this.#tabPanel,
    );
    this.#panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      this.close();
    });
    root.append(h("style", {}, STYLES), h("div", { class: "root" }, this.#toggle, this.#panel));

    const onWindowResize = () => this.#applyHeight(this.#settings.height);
    globalThis.addEventListener?.("resize", onWindowResize);
    this.#cleanups.push(() => globalThis.removeEventListener?.("resize", onWindowResize));
    this.#cleanups.push(store.subscribe(() => this.#schedule()));
    this.#select(this.#settings.tab, false);
    this.#applyHeight(this.#settings.height);
    this.#show(this.#settings.open, false);
  }

  get isOpen(): boolean {
    return this.#settings.open;
  }

  open(): void {
    this.#show(true, true);
  }

  close(): void {
    this.#show(false, true);
  }

  /** Shows a tab by id (`queries`, `requests`, `logs`, `connection`, `auth`). */
  select(id: string): void {
    this.#select(id, true);
  }

  destroy(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    if (this.#frame !== undefined) cancelFrame(this.#frame);
    clearInterval(this.#ticker);
    this.#root.replaceChildren();
  }

  // ---- drawing -------------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#frame !== undefined) return;
    this.#frame = requestFrame(() => {
      this.#frame = undefined;
      this.#render();
    });
  }

  #render(): void {
    const label = connectionLabel(this.#store);
    for (const dot of this.#dots) {
      dot.className = `dot ${label}`;
      dot.title = label;
    }
    this.#toggle.setAttribute("aria-label", `Open Syncline devtools (${label})`);
    if (!this.#settings.open) return;
    const now = Date.now();
    for (const tab of this.#tabs) {
      const count = tab.count();
      setText(this.#tabButtons.get(tab.id)!.querySelector(".count")!, count === null ? "" : String(count));
      this.#tabButtons.get(tab.id)!.querySelector<HTMLElement>(".count")!.hidden = count === null;
    }
    this.#tabs.find((tab) => tab.id === this.#settings.tab)!.render(now);
  }

  #show(open: boolean, byUser: boolean): void {
    this.#settings.open = open;
    this.#panel.hidden = !open;
    this.#toggle.hidden = open;
    this.#toggle.setAttribute("aria-expanded", String(open));
    clearInterval(this.#ticker);
    // While open, times ("3s ago") and durations of requests in flight move on their own.
    if (open) this.#ticker = setInterval(() => this.#schedule(), 1000);
    this.#render();
    if (byUser) {
      saveSettings(this.#storageKey, this.#settings);
      if (open) this.#tabButtons.get(this.#settings.tab)!.focus();
      else this.#toggle.focus();
    }
  }

  #select(id: string, byUser: boolean): void {
    const tab = this.#tabs.find((candidate) => candidate.id === id);
    if (tab === undefined) return;
    this.#settings.tab = id;
    for (const [tabId, button] of this.#tabButtons) {
      const selected = tabId === id;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    this.#tabPanel.setAttribute("aria-labelledby", `tab-${id}`);
    this.#tabPanel.replaceChildren(tab.element);
    this.#tabPanel.scrollTop = 0;
    if (byUser) saveSettings(this.#storageKey, this.#settings);
    this.#render();
  }

  #onTabKey(event: KeyboardEvent): void {
    const ids = this.#tabs.map((tab) => tab.id);
    const index = ids.indexOf(this.#settings.tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const id = ids[(next + ids.length) % ids.length]!;
    this.select(id);
    this.#tabButtons.get(id)!.focus();
  }

  // ---- resizing ------------------------------------------------------------------------------------

  #applyHeight(height: number): void {
    const max = Math.max(MIN_HEIGHT, (globalThis.innerHeight || 800) - 40);
    this.#settings.height = Math.round(Math.min(max, Math.max(MIN_HEIGHT, height)));
    this.#panel.style.height = `${this.#settings.height}px`;
    this.#resize.setAttribute("aria-valuemax", String(max));
    this.#resize.setAttribute("aria-valuenow", String(this.#settings.height));
  }

  #onResizeKey(event: KeyboardEvent): void {
    const height = this.#settings.height;
    const next = { ArrowUp: height + KEYBOARD_STEP, ArrowDown: height - KEYBOARD_STEP, Home: MIN_HEIGHT, End: Number.MAX_SAFE_INTEGER }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.#applyHeight(next);
    saveSettings(this.#storageKey, this.#settings);
  }

  #startDrag(event: PointerEvent): void {
    if (event.button !== 0) return;
    event.preventDefault();
    const startY = event.clientY;
    const startHeight = this.#settings.height;
    const move = (moved: PointerEvent) => this.#applyHeight(startHeight + (startY - moved.clientY));
    const stop = () => {
      globalThis.removeEventListener("pointermove", move);
      globalThis.removeEventListener("pointerup", stop);
      saveSettings(this.#storageKey, this.#settings);
    };
    globalThis.addEventListener("pointermove", move);
    globalThis.addEventListener("pointerup", stop);
  }
}

/** requestAnimationFrame where there is one (a hidden tab pauses it: nothing to draw then anyway). */
function requestFrame(callback: () => void): number {
  return typeof requestAnimationFrame === "function" ? requestAnimationFrame(callback) : (setTimeout(callback, 16) as unknown as number);
}

function cancelFrame(handle: number): void {
  if (typeof cancelAnimationFrame === "function") cancelAnimationFrame(handle);
  clearTimeout(handle);
}
