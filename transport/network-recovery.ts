// Browser hints that a waiting reconnect should happen now (protocol.md §8): the network came
// back (`online`), or a hidden page became visible again (mobile browsers freeze background tabs
// and their sockets die quietly). Outside a browser there is nothing to watch.

export type RecoveryHint = "online" | "visible";

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Calls `onHint` when the browser reports one of the hints; returns a function that stops watching.
 *
 * @example
 * const stop = watchNetworkRecovery((hint) => transport.reconnectNow());
 */
export function watchNetworkRecovery(onHint: (hint: RecoveryHint) => void): () => void {
  const win = (globalThis as { window?: EventTargetLike }).window;
  const doc = (globalThis as { document?: EventTargetLike & { visibilityState?: string } }).document;
  const stops: (() => void)[] = [];
  if (win && typeof win.addEventListener === "function") {
    const online = () => onHint("online");
    win.addEventListener("online", online);
    stops.push(() => win.removeEventListener("online", online));
  }
  if (doc && typeof doc.addEventListener === "function") {
    let wasHidden = doc.visibilityState === "hidden";
    const visibility = () => {
      const hidden = doc.visibilityState === "hidden";
      if (wasHidden && !hidden) onHint("visible");
      wasHidden = hidden;
    };
    doc.addEventListener("visibilitychange", visibility);
    stops.push(() => doc.removeEventListener("visibilitychange", visibility));
  }
  return () => {
    for (const stop of stops) stop();
  };
}
