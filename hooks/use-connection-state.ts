// The connection as React state (for a "reconnecting..." badge).

import { useCallback, useDebugValue, useSyncExternalStore } from "react";
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
  // Stable per client: a new subscribe function would make React resubscribe on every render.
  const subscribe = useCallback((listener: () => void) => client.onConnectionStateChange(listener), [client]);
  const getState = useCallback(() => client.connectionState(), [client]);
  const state = useSyncExternalStore(subscribe, getState, getState);
  useDebugValue(state.isConnected ? "connected" : state.isReconnecting ? "reconnecting" : "connecting");
  return state;
}
