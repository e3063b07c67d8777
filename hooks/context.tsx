// The client for a React tree: `SynclineProvider` puts it in context, `useSyncline` reads it.

import { createContext, useContext, type ReactNode } from "react";
import type { SynclineClient } from "../src/client/client.js";

export const SynclineContext = createContext<SynclineClient | undefined>(undefined);
SynclineContext.displayName = "Syncline";

/**
 * Makes `client` available to every Syncline hook below it.
 *
 * @example
 * const client = new SynclineClient("http://localhost:3210");
 * root.render(<SynclineProvider client={client}><App /></SynclineProvider>);
 */
export function SynclineProvider({ client, children }: { client: SynclineClient; children?: ReactNode }) {
  return <SynclineContext.Provider value={client}>{children}</SynclineContext.Provider>;
}

/**
 * The client of the nearest `SynclineProvider`.
 *
 * @example
 * const client = useSyncline();
 * await client.mutation(api.messages.send, { room, body });
 */
export function useSyncline(): SynclineClient {
  const client = useContext(SynclineContext);
  if (client === undefined) {
    throw new Error("No Syncline client here: wrap your app in <SynclineProvider client={client}>.");
  }
  return client;
}
