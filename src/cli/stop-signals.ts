// SIGINT and SIGTERM for the long-running commands (`dev`, `serve`): the first asks for a clean
// stop, a later one gives up on it and exits at once.

/** How close together two signals must be to count as one (see `onStopSignals`). */
const SAME_SIGNAL_MS = 1_000;

/**
 * Calls `stop` on the first SIGINT or SIGTERM and `force` on the next one; returns a function
 * that removes the handlers. A copy of the first signal within a second is the same request and
 * is ignored: a terminal sends Ctrl-C to every process in the foreground, and `npm run` forwards
 * its own copy to its script too.
 *
 * @example
 * const stopListening = onStopSignals(
 *   (signal) => void server.drain().then(() => process.exit(0)),
 *   (signal) => process.exit(130),
 * );
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void, force: (signal: NodeJS.Signals) => void): () => void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      stop(signal);
    } else if (Date.now() - firstAt > SAME_SIGNAL_MS) {
      force(signal);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
