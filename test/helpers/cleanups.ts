// What a test made and must undo (servers, sockets, temp folders), undone after each test in
// reverse order: a server closes before the folder it serves is removed.

import { afterEach } from "vitest";

/**
 * Registers the `afterEach` that empties the returned list; call once at a test file's top level.
 *
 * @example
 * const cleanups = cleanupAfterEach();
 * cleanups.push(() => server.close());
 */
export function cleanupAfterEach(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}
