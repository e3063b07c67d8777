// Publishes the connection state as stable snapshots: the same object until a field changes, and
// subscribers called at most once per microtask however many things changed.

import type { ConnectionState } from "./types.js";

/**
 * @example
 * const publisher = new ConnectionStatePublisher(() => computeState());
 * publisher.subscribe((state) => console.log(state.isConnected));
 * publisher.markDirty(); // something may have changed
 */
export class ConnectionStatePublisher {
  readonly #compute: () => ConnectionState;
  readonly #subscribers = new Set<(state: ConnectionState) => void>();
  #last: ConnectionState | undefined;
  #published: ConnectionState | undefined;
  #scheduled = false;

  constructor(compute: () => ConnectionState) {
    this.#compute = compute;
  }

  /** The current state; the previous object when nothing changed. */
  current(): ConnectionState {
    const next = this.#compute();
    if (this.#last !== undefined && sameState(this.#last, next)) return this.#last;
    this.#last = Object.freeze(next);
    return this.#last;
  }

  subscribe(callback: (state: ConnectionState) => void): () => void {
    this.#subscribers.add(callback);
    this.#published ??= this.current();
    return () => this.#subscribers.delete(callback);
  }

  /** Something the state is made of may have changed: publish (once, soon) if it did. */
  markDirty(): void {
    if (this.#scheduled || this.#subscribers.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const state = this.current();
      if (state === this.#published) return;
      this.#published = state;
      for (const callback of [...this.#subscribers]) callback(state);
    });
  }
}

function sameState(a: ConnectionState, b: ConnectionState): boolean {
  for (const key of Object.keys(b) as (keyof ConnectionState)[]) if (a[key] !== b[key]) return false;
  return true;
}
