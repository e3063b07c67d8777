// A few lines of DOM building, so the panel needs no framework: `h("div", { class: "row" }, child)`.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/**
 * Makes an element. Props starting with `on` and holding a function are listeners (`onclick`),
 * `true` sets an empty attribute, `false`, null and undefined set nothing, anything else is an
 * attribute.
 *
 * @example
 * h("button", { type: "button", "aria-label": "Close", onclick: () => close() }, "×")
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children, skipping the empty ones. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Sets an element's text only when it differs (no needless layout work, selection kept). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * Brings `container`'s children in line with `items`, reusing each item's element by key: a row
 * keeps its state (open details, focus) across renders, and only changed rows are touched.
 *
 * @example
 * syncList(list, queries, (q) => q.queryId, (q) => h("li"), (li, q) => setText(li, q.name));
 */
export function syncList<T, E extends Element>(
  container: Element,
  items: readonly T[],
  key: (item: T) => string | number,
  create: (item: T) => E,
  update: (element: E, item: T) => void,
  cache: Map<string | number, E>,
): void {
  const keep = new Set<string | number>();
  let cursor = container.firstElementChild;
  for (const item of items) {
    const id = key(item);
    keep.add(id);
    let element = cache.get(id);
    if (element === undefined) {
      element = create(item);
      cache.set(id, element);
    }
    update(element, item);
    if (element !== cursor) container.insertBefore(element, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [id, element] of cache) {
    if (keep.has(id)) continue;
    element.remove();
    cache.delete(id);
  }
}
