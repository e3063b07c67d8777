// A database's writer tenure: one uninterrupted stretch in which this database object was the
// only writer, so everything written in it passed through this process. Caches of what was
// written (the exactly-once ledger of mutation records) are only sound within one tenure.

/**
 * Its `generation` changes whenever another writer may have written since this object last did:
 * a Postgres writer re-took its lock after losing the connection, a node became the cluster's
 * leader, or a snapshot was loaded. On SQLite the file lock keeps one writer for the whole life of
 * the process, so only snapshot loads renew it.
 *
 * @example
 * const tenure = new WriterTenure();
 * const seen = tenure.generation;
 * tenure.renew(); // seen !== tenure.generation: drop what was cached
 */
export class WriterTenure {
  #generation = 0;

  /** The current tenure's number. */
  get generation(): number {
    return this.#generation;
  }

  /** Starts a new tenure: what was cached about earlier writes may be stale. */
  renew(): void {
    this.#generation++;
  }
}
