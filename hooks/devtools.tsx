// `syncline/devtools`: <SynclineDevtools />, the devtools panel in a React app. The panel itself is
// framework-free (src/devtools, `mountSynclineDevtools` from `syncline/devtools/dom`) and loaded
// with a dynamic import only when shown: an app built for production that keeps <SynclineDevtools /> in its tree ships this
// small component, and the panel's code only as a chunk it never loads.

import { useContext, useEffect } from "react";
import type { SynclineClient } from "../src/client/client.js";
import { isDevelopment } from "../src/devtools/environment.js";
import type { SynclineDevtoolsOptions } from "../src/devtools/mount.js";
import { SynclineContext } from "./context.js";

// Types only: a value re-exported from the panel's modules would put the panel into every bundle
// of this entry. Its framework-free form is `mountSynclineDevtools` from `syncline/devtools/dom`.
export type { SynclineDevtoolsHandle, SynclineDevtoolsOptions } from "../src/devtools/mount.js";

export interface SynclineDevtoolsProps extends SynclineDevtoolsOptions {
  /** The client to inspect; default: the one of the nearest `SynclineProvider`. */
  client?: SynclineClient;
  /**
   * Show the devtools. Default: in development builds only (`process.env.NODE_ENV` is not
   * "production"); `true` shows them in production too.
   */
  enabled?: boolean;
}

/**
 * A floating button that opens the Syncline devtools: every query, mutation and action, the
 * functions' log lines, the connection and auth. Renders nothing of its own into the React tree.
 *
 * @example
 * <SynclineProvider client={client}>
 *   <App />
 *   <SynclineDevtools initialIsOpen={false} />
 * </SynclineProvider>
 */
export function SynclineDevtools({ client: given, enabled = isDevelopment(), initialIsOpen, storageKey }: SynclineDevtoolsProps): null {
  const fromContext = useContext(SynclineContext);
  const client = given ?? fromContext;
  if (enabled && client === undefined) {
    throw new Error("<SynclineDevtools> has no client: put it inside <SynclineProvider client={client}>, or pass client={client}.");
  }
  useEffect(() => {
    if (!enabled || client === undefined) return;
    let handle: { unmount(): void } | undefined;
    let cancelled = false;
    void import("../src/devtools/mount.js").then(({ mountSynclineDevtools }) => {
      if (cancelled) return;
      handle = mountSynclineDevtools(client, undefined, {
        ...(initialIsOpen !== undefined ? { initialIsOpen } : {}),
        ...(storageKey !== undefined ? { storageKey } : {}),
      });
    });
    return () => {
      cancelled = true;
      handle?.unmount();
    };
  }, [client, enabled, initialIsOpen, storageKey]);
  return null;
}
