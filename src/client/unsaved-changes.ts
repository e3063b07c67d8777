// The browser's "leave this page?" prompt while a mutation is not yet committed: leaving then
// could lose it. Only in browsers; on by default there.

interface WindowLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Installs the prompt unless `option` is false; returns the function that removes it.
 * Asking for it (`true`) where there is no window is an error.
 */
export function watchUnsavedChanges(option: boolean | undefined, hasUnsaved: () => boolean): (() => void) | undefined {
  const win = (globalThis as { window?: Partial<WindowLike> }).window;
  if (typeof win?.addEventListener !== "function") {
    if (option === true) throw new Error("unsavedChangesWarning needs a browser window; remove it from the client options here.");
    return undefined;
  }
  if (option === false) return undefined;
  const target = win as WindowLike;
  const listener = (event: Event) => {
    if (!hasUnsaved()) return;
    event.preventDefault();
    // Older browsers show the prompt only when returnValue is set; elsewhere it may be read-only.
    try {
      (event as unknown as { returnValue: string }).returnValue = "Are you sure you want to leave? Your changes may not be saved.";
    } catch {
      // preventDefault() was enough.
    }
  };
  target.addEventListener("beforeunload", listener);
  return () => target.removeEventListener("beforeunload", listener);
}
