// Telling a functions folder that did not load (a build, schema or auth config error: the user
// fixes it by editing) from the server itself failing to start.

/** Errors of loading the functions folder, as opposed to the server itself failing. */
const loadFailures = new WeakSet<object>();

/**
 * Marks `error` as the functions folder failing to load.
 *
 * @example
 * try { loaded = await host.load(); } catch (error) { markLoadFailure(error); throw error; }
 */
export function markLoadFailure(error: unknown): void {
  if (typeof error === "object" && error !== null) loadFailures.add(error);
}

/**
 * True when `startServer` failed because the functions folder did not load - something the user
 * fixes by editing it, so `syncline dev` keeps watching instead of exiting.
 *
 * @example
 * try { await startServer(options); } catch (error) { if (!isLoadFailure(error)) throw error; }
 */
export function isLoadFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && loadFailures.has(error);
}
