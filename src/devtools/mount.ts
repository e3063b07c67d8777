// mountSynclineDevtools: the panel for any framework (or none). It puts the panel in a shadow
// root, so the app's styles and the panel's never meet, and feeds it from inspectClient.

import type { SynclineClient } from "../client/client.js";
import { inspectClient } from "../client/inspect.js";
import { DevtoolsPanel } from "./panel.js";
import { DevtoolsStore } from "./store.js";

export interface SynclineDevtoolsOptions {
  /** Open on first load; later loads remember what the user chose. Default false. */
  initialIsOpen?: boolean;
  /**
   * The localStorage key under which open/closed, height and tab are remembered (default
   * `"syncline-devtools"`); null remembers nothing.
   */
  storageKey?: string | null;
}

/** A mounted panel. */
export interface SynclineDevtoolsHandle {
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  /** Removes the panel and stops listening to the client. */
  unmount(): void;
}

/**
 * Mounts the devtools panel for `client` inside `element` (default: a new element at the end of
 * `document.body`). The panel starts listening to the client at once, so it has the history of
 * requests and log lines from then on, whether open or not.
 *
 * @example
 * import { mountSynclineDevtools } from "syncline/devtools/dom";
 * const devtools = mountSynclineDevtools(client);
 * // later, e.g. on hot reload:
 * devtools.unmount();
 */
export function mountSynclineDevtools(client: SynclineClient, element?: HTMLElement, options: SynclineDevtoolsOptions = {}): SynclineDevtoolsHandle {
  if (typeof document === "undefined") throw new Error("mountSynclineDevtools needs a DOM: call it in the browser, not during server rendering.");
  const host = document.createElement("div");
  host.setAttribute("data-syncline-devtools", "");
  (element ?? document.body).append(host);
  const root = host.attachShadow({ mode: "open" });
  const store = new DevtoolsStore();
  const panel = new DevtoolsPanel(root, store, client, {
    initialIsOpen: options.initialIsOpen ?? false,
    storageKey: options.storageKey === undefined ? "syncline-devtools" : options.storageKey,
  });
  const stop = inspectClient(client, (event) => store.apply(event));
  let mounted = true;
  return {
    get isOpen() {
      return panel.isOpen;
    },
    open: () => panel.open(),
    close: () => panel.close(),
    unmount() {
      if (!mounted) return;
      mounted = false;
      stop();
      panel.destroy();
      host.remove();
    },
  };
}
