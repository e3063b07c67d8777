// The action time limit. A handler shares the server's process and cannot be stopped from the
// outside, so when its time is up the caller gets the timeout and everything the handler could
// still do through `ctx` is refused: it may run on, but it can no longer call functions, write,
// schedule or store files.

import { runOutsideScope } from "./scope.js";

/**
 * One action call's deadline.
 *
 * @example
 * const deadline = new ActionDeadline("files:upload", 600_000);
 * const outcome = await deadline.race(run(deadline.guard(ctx)));
 */
export class ActionDeadline {
  #over = false;

  constructor(
    readonly name: string,
    readonly ms: number,
  ) {}

  /** `run`'s result, or a timeout error once the limit passed (from then on `guard`ed calls throw). */
  race<T>(run: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = runOutsideScope(() =>
        setTimeout(() => {
          this.#over = true;
          reject(new Error(`${this.name} timed out after ${Math.round(this.ms / 1000)} s (the action limit).`));
        }, this.ms),
      );
      timer.unref?.();
    });
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  }

  /** `ctx` (and every object in it) with methods that throw once the time is up. */
  guard<T extends object>(ctx: T): T {
    return new Proxy(ctx, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property);
        if (typeof value === "function") {
          return (...args: unknown[]) => {
            if (this.#over) throw new Error(`${this.name} timed out: its time is up, so ctx.${String(property)} is refused.`);
            return (value as (...args: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === "object" && value !== null ? this.guard(value) : value;
      },
    });
  }
}
