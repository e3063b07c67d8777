import { useConnectionState } from "syncline/react";

/** Connected / reconnecting, straight from the client's connection state. */
export function ConnectionBadge() {
  const { isConnected, isReconnecting, inflightMutations } = useConnectionState();
  const label = isConnected ? "connected" : isReconnecting ? "reconnecting" : "connecting";
  return (
    <span className={`badge ${label}`} data-testid="connection" title={`${inflightMutations} mutation(s) in flight`}>
      {label}
    </span>
  );
}
