// The vectors of one index packed into Float32Array chunks of CHUNK_ROWS rows each (row r at
// offset (r % CHUNK_ROWS) * dimensions of chunk floor(r / CHUNK_ROWS)), with each row's document
// id and filter values. Chunks instead of an array per document: a search walks memory in order
// and the engine holds a few large allocations instead of 10,000 small ones; chunks instead of
// one array: growing never copies what is loaded, and at most one chunk is partly empty. A
// deleted row is filled with the last one, so rows stay dense and a search never skips holes.

/** Rows per chunk (6 MiB at 1,536 dimensions). */
export const CHUNK_ROWS = 1024;

/** Bytes a row costs besides its float32s: its id string, its filters array, and its map entry (an estimate). */
const ROW_OVERHEAD_BYTES = 160;

/** The packed vectors of one index. */
export class VectorRows {
  readonly chunks: Float32Array[] = [];
  readonly ids: string[] = [];
  readonly filters: (readonly string[])[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(readonly dimensions: number) {}

  get count(): number {
    return this.ids.length;
  }

  /** Memory held, in bytes (the chunks as allocated, plus an estimate per row). */
  get bytes(): number {
    return this.chunks.length * CHUNK_ROWS * this.dimensions * 4 + this.count * ROW_OVERHEAD_BYTES;
  }

  /**
   * Where row `row`'s vector lives: its chunk and the offset in it.
   *
   * @example
   * const { chunk, offset } = rows.place(7); chunk.subarray(offset, offset + rows.dimensions)
   */
  place(row: number): { chunk: Float32Array; offset: number } {
    return { chunk: this.chunks[Math.floor(row / CHUNK_ROWS)]!, offset: (row % CHUNK_ROWS) * this.dimensions };
  }

  /**
   * The row of document `id` (a new one at the end when it has none) with its filters set, for
   * the caller to fill its vector at `place(row)`.
   *
   * @example
   * const row = rows.upsert(id, filters);
   */
  upsert(id: string, filters: readonly string[]): number {
    const existing = this.rowOf.get(id);
    if (existing !== undefined) {
      this.filters[existing] = filters;
      return existing;
    }
    const row = this.ids.length;
    if (row === this.chunks.length * CHUNK_ROWS) this.chunks.push(new Float32Array(CHUNK_ROWS * this.dimensions));
    this.ids.push(id);
    this.filters.push(filters);
    this.rowOf.set(id, row);
    return row;
  }

  /**
   * Removes document `id`'s row (nothing when it has none): the last row moves into its place,
   * and a chunk left empty is released.
   *
   * @example
   * rows.delete("docs_1");
   */
  delete(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    this.rowOf.delete(id);
    const last = this.ids.length - 1;
    if (row !== last) {
      const movedId = this.ids[last]!;
      this.ids[row] = movedId;
      this.filters[row] = this.filters[last]!;
      const to = this.place(row);
      const from = this.place(last);
      to.chunk.set(from.chunk.subarray(from.offset, from.offset + this.dimensions), to.offset);
      this.rowOf.set(movedId, row);
    }
    this.ids.pop();
    this.filters.pop();
    if (this.ids.length <= (this.chunks.length - 1) * CHUNK_ROWS) this.chunks.pop();
  }
}
