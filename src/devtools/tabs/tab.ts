// What every tab of the panel is: a labelled view over the store, redrawn when it changes.

export interface Tab {
  /** Stable id, used in element ids and remembered as the selected tab. */
  readonly id: string;
  readonly label: string;
  /** Its content, placed in the tab panel. */
  readonly element: HTMLElement;
  /** A number shown next to the label (queries held, requests in flight, ...), or null. */
  count(): number | null;
  /** Brings the content in line with the store (called only while the tab is shown). */
  render(now: number): void;
}
