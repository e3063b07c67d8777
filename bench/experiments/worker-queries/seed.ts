// The sync bench's data for 10,000 distinct subscriptions, in a file database of its own.

import { join } from "node:path";
import { startServer } from "../../../src/server/start-server.js";

/**
 * Seeds `count * 2` items with `count` distinct keys into `dir/data.sqlite`, as
 * benchManySubscriptions does, and closes the server.
 *
 * @example
 * await seedItems(functionsDir, join(temp, "seed"), 10_000);
 */
export async function seedItems(functionsDir: string, dir: string, count: number): Promise<void> {
  const server = await startServer({ dir: functionsDir, db: join(dir, "data.sqlite"), port: 0, host: "127.0.0.1" });
  try {
    const docs = count * 2;
    for (let start = 0; start < docs; start += 10_000) {
      const outcome = await server.runtime.mutation("items:seed", { start, count: Math.min(10_000, docs - start), distinct: count }, { origin: "server", identity: null });
      if (!outcome.ok) throw new Error(`seeding failed: ${outcome.message}`);
    }
  } finally {
    await server.close();
  }
}
