// Node fires a timer set for longer than 2^31 - 1 ms (~24.8 days) at once, with a warning: every
// long wait on the server goes through here.

/** The longest delay one Node timer can wait. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onDue` once the wall clock reaches `at` (ms since the epoch), however far away that is.
 * The timer is unref'd: it alone does not keep the process alive. Returns a function that cancels.
 *
 * @example
 * const cancel = callAt(token.expiresAt, () => refuse("The token has expired"));
 */
export function callAt(at: number, onDue: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const remaining = at - Date.now();
    timer = setTimeout(remaining > LONGEST_TIMER_MS ? arm : onDue, Math.min(Math.max(0, remaining), LONGEST_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Waits for `work`, but at most `ms`: true when it settled in time, false when the time ran
 * out first (`work` goes on; nothing cancels it).
 *
 * @example
 * const finished = await settlesWithin(sessionsDrained, 5_000);
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
