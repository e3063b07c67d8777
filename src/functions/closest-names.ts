// "Did you mean ...?": the one helper behind every suggestion for a misspelled name - the client's
// `api.messages.sned`, the CLI's `syncline run messages.sned` and the server's `messages:lst`.
// Shared by client and server, so it stays tiny (it ships in the client bundle).

/**
 * The edit distance of `a` and `b`: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 (optimal string alignment), so `sned` is 1 from `send`.
 * Case is ignored: `messages:List` is 0 from `messages:list`.
 *
 * @example
 * editDistance("sned", "send") // 1
 * editDistance("lst", "list") // 1
 */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  // Three rows of the dynamic-programming table: the swap looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (same ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidates closest to `wanted`, best first: those at the smallest distance found (ties in
 * `candidates` order, at most `limit`). A candidate must look like a typo of `wanted`: at most a
 * third of what differs after their common start (at least 1 edit, at most 3), so
 * `messages:nope` suggests nothing from `messages:logs` although only 3 letters differ.
 *
 * @example
 * closestNames("messages:lst", ["messages:list", "messages:send"]) // ["messages:list"]
 * closestNames("xyz", ["messages:list"]) // []
 */
export function closestNames(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = wanted.toLowerCase();
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of candidates) {
    if (candidate === wanted) continue;
    const other = candidate.toLowerCase();
    let common = 0;
    while (common < lower.length && lower[common] === other[common]) common++;
    const distance = editDistance(lower.slice(common), other.slice(common));
    if (distance > Math.min(3, Math.max(1, Math.floor((lower.length - common) / 3))) || distance > best) continue;
    if (distance < best) {
      best = distance;
      found = [];
    }
    if (found.length < limit) found.push(candidate);
  }
  return found;
}

/**
 * Names joined for a question: "a", "a or b", "a, b or c".
 *
 * @example
 * `Did you mean ${oneOf(["a:x", "a:y"])}?` // "Did you mean a:x or a:y?"
 */
export function oneOf(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : (names[0] ?? "");
}
