// What the panel remembers across reloads (localStorage): open or closed, its height, the tab.
// Storage may be missing or full (private windows, quotas): the panel then just forgets.

export interface PanelSettings {
  open: boolean;
  /** Pixels. */
  height: number;
  tab: string;
}

/**
 * The remembered settings, each field falling back to `defaults` when missing or malformed.
 *
 * @example
 * const settings = loadSettings("syncline-devtools", { open: false, height: 320, tab: "queries" });
 */
export function loadSettings(key: string | null, defaults: PanelSettings): PanelSettings {
  if (key === null) return { ...defaults };
  let saved: Partial<Record<keyof PanelSettings, unknown>> = {};
  try {
    const parsed = JSON.parse(globalThis.localStorage?.getItem(key) ?? "{}") as unknown;
    if (typeof parsed === "object" && parsed !== null) saved = parsed;
  } catch {
    // Unreadable: start from the defaults.
  }
  return {
    open: typeof saved.open === "boolean" ? saved.open : defaults.open,
    height: typeof saved.height === "number" && Number.isFinite(saved.height) ? saved.height : defaults.height,
    tab: typeof saved.tab === "string" ? saved.tab : defaults.tab,
  };
}

/** Remembers `settings` (quietly does nothing where storage is unavailable). */
export function saveSettings(key: string | null, settings: PanelSettings): void {
  if (key === null) return;
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(settings));
  } catch {
    // Storage full or refused: the panel works, it just will not remember.
  }
}
