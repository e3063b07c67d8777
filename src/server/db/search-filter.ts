// The builder handed to `withSearchIndex(name, (q) => q.search(field, text).eq(filter, value))`:
// checks each call against the index's definition, so a wrong field fails with a message naming
// the index and the field instead of silently matching nothing.

import type { Value } from "../../values/value.js";
import type { IndexInfo } from "./catalog.js";
import type { SearchEquality, SearchRequest } from "./search-query.js";
import type { SearchIndexSpec } from "./special-indexes.js";

/** One immutable stage of the builder; each call returns a new one. */
export class SearchFilterImpl {
  readonly isSearchFilter = true;

  constructor(
    private readonly index: IndexInfo,
    private readonly spec: SearchIndexSpec,
    private readonly text: string | undefined = undefined,
    private readonly equalities: readonly SearchEquality[] = [],
  ) {}

  private error(message: string): Error {
    return new Error(`Search index "${this.index.name}" of table "${this.index.table}": ${message}.`);
  }

  /**
   * Searches the index's search field for the terms of `query`.
   *
   * @example
   * q.search("body", "hello world")
   */
  search(field: string, query: string): SearchFilterImpl {
    if (this.text !== undefined) throw this.error("search() can be called only once");
    if (field !== this.spec.searchField) throw this.error(`search() must be on its search field "${this.spec.searchField}", not "${String(field)}"`);
    if (typeof query !== "string") throw this.error(`search("${field}", ...) needs a string, got ${query === null ? "null" : typeof query}`);
    return new SearchFilterImpl(this.index, this.spec, query, this.equalities);
  }

  /**
   * Keeps documents whose filter field `field` equals `value`.
   *
   * @example
   * q.search("body", "hi").eq("channel", "#general")
   */
  eq(field: string, value: Value | undefined): SearchFilterImpl {
    if (this.text === undefined) throw this.error(`eq("${String(field)}") must come after search()`);
    if (!this.spec.filterFields.includes(field)) {
      const known = this.spec.filterFields.length === 0 ? "it has none" : `its filter fields: ${this.spec.filterFields.join(", ")}`;
      throw this.error(`"${String(field)}" is not a filter field (${known})`);
    }
    if (this.equalities.some((equality) => equality.field === field)) throw this.error(`eq("${field}") is given twice`);
    return new SearchFilterImpl(this.index, this.spec, this.text, [...this.equalities, { field, value }]);
  }

  /** The finished request; throws when `search()` was never called. */
  request(): SearchRequest {
    if (this.text === undefined) throw this.error("the callback must call q.search(field, text)");
    return { index: this.index, spec: this.spec, text: this.text, equalities: this.equalities };
  }
}
