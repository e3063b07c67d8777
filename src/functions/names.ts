// Function names (protocol.md §12): `<module path>:<export>`, e.g. `messages:list`,
// `foo/bar:baz`; a default export is `foo/bar:default`, which may be written `foo/bar`.

/**
 * The canonical form of a function name: split at the last `:`, no `:` means `default`,
 * and a `.js` suffix on the module is dropped.
 *
 * @example
 * canonicalizeName("foo/bar.js") // "foo/bar:default"
 * canonicalizeName("messages:list") // "messages:list"
 */
export function canonicalizeName(name: string): string {
  const cut = name.lastIndexOf(":");
  let modulePath = cut === -1 ? name : name.slice(0, cut);
  const exportName = cut === -1 ? "default" : name.slice(cut + 1);
  if (modulePath.endsWith(".js")) modulePath = modulePath.slice(0, -3);
  return `${modulePath}:${exportName}`;
}

/** Splits a canonical name into its module path and export name. */
export function splitName(canonicalName: string): { modulePath: string; exportName: string } {
  const cut = canonicalName.lastIndexOf(":");
  return { modulePath: canonicalName.slice(0, cut), exportName: canonicalName.slice(cut + 1) };
}
