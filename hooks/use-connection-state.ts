// The connection as React state (for a "reconnecting..." badge).

import { useDebugValue, useSyncExternalStore } from "react";
import type { ConnectionState } from "../src/client/types.js";
import { useSyncline } from "./context.js";

/**
 * The client's connection state; re-renders only when it changes.
 *
 * @example
 * const { isConnected, isReconnecting } = useConnectionState();
 */
export function useConnectionState(): ConnectionState {
  const client = useSyncline();
  const state = useSyncExternalStore(
    (listener) => client.onConnectionStateChange(listener),
    () => client.connectionState(),
    () => client.connectionState(),
  );
  useDebugValue(state.isConnected ? "connected" : state.isReconnecting ? "reconnecting" : "connecting");
  return state;
}
