// Whether a process still runs: how a server tells its own leftovers (build folders, the record
// of where it listens) from those of a process that was killed and could not clean up.

/**
 * Whether process `pid` is running (signal 0 only checks; EPERM means it exists but is not ours).
 *
 * @example
 * isAlive(process.pid) // true
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
