// A list row that opens to show details: a <details> whose summary is the row (Enter or Space
// toggles it), with a detail body drawn only while open and redrawn only when its data changed.

import { h } from "../dom.js";

export interface ExpandableRow {
  readonly element: HTMLDetailsElement;
  readonly summary: HTMLElement;
  /** Redraws the details if open and `revision` is new; otherwise remembers to on opening. */
  refresh(revision: number): void;
  /** Highlights the row for a moment (a result changed). */
  flash(): void;
}

const FLASH_MS = 1200;

/**
 * @example
 * const row = expandableRow(["name", "args"], () => [valueTree(entry.result.value, open)]);
 * row.refresh(entry.revision);
 */
export function expandableRow(cells: Node[], details: () => Node[]): ExpandableRow {
  const summary = h("summary", {}, ...cells);
  const body = h("div", { class: "detail" });
  const element = h("details", { class: "row" }, summary, body);
  let drawn = -1;
  let wanted = 0;
  let flashTimer: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    if (!element.open || drawn === wanted) return;
    drawn = wanted;
    body.replaceChildren(...details());
  };
  element.addEventListener("toggle", draw);
  return {
    element,
    summary,
    refresh(revision) {
      wanted = revision;
      draw();
    },
    flash() {
      clearTimeout(flashTimer);
      element.removeAttribute("data-flash");
      void element.offsetWidth; // restart the animation
      element.setAttribute("data-flash", "");
      flashTimer = setTimeout(() => element.removeAttribute("data-flash"), FLASH_MS);
    },
  };
}

/** A titled section of a row's details. */
export function detailSection(title: string, ...content: (Node | null)[]): HTMLElement {
  return h("section", {}, h("h4", {}, title), ...content);
}
