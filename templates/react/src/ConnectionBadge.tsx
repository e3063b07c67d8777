import { useConnectionState } from "syncline/react";

/** Shows whether the page's WebSocket to the backend is open. */
export function ConnectionBadge() {
  const { isConnected, isReconnecting } = useConnectionState();
  const label = isConnected ? "connected" : isReconnecting ? "reconnecting" : "connecting";
  return (
    <span className={`badge ${label}`} data-testid="connection">
      {label}
    </span>
  );
}
