// `syncline dev`: codegen, serve, and on every change rebuild, regenerate and hot-swap the
// functions without dropping connections. A compile error is printed with file and line, and the
// last good code keeps serving.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { newAdminKey, writeAdminKey } from "../server/http/admin.js";
import { consoleLogger } from "../server/logger.js";
import { startServer } from "../server/start-server.js";
import { watchFunctions } from "../server/watch.js";

export interface DevOptions {
  dir: string;
  port: number;
  /** The site port of HTTP actions (default port + 1). */
  sitePort?: number;
  db?: string;
  prod: boolean;
}

/** Runs until SIGINT/SIGTERM; resolves to the exit code. */
export async function dev(options: DevOptions): Promise<number> {
  const logger = consoleLogger();
  const stateDir = join(dirname(options.dir), ".syncline");
  const adminKey = newAdminKey();
  const started = Date.now();
  const server = await startServer({ ...options, codegen: true, adminKey, logger });
  mkdirSync(stateDir, { recursive: true }); // after the start, which refuses a missing functions folder
  writeAdminKey(join(stateDir, "admin-key"), adminKey);
  writeFileSync(join(stateDir, "dev-url"), server.url);
  logger.info(`Syncline dev server ready in ${Date.now() - started} ms`);
  logger.info(`  API:       ${server.url}`);
  logger.info(`  Site:      ${server.siteUrl} (HTTP actions of http.ts)`);
  logger.info(`  Functions: ${options.dir} (${server.runtime.modules.functions.size} functions, watching for changes)`);

  const stopWatching = watchFunctions(options.dir, async () => {
    const begun = Date.now();
    try {
      await server.reload();
      logger.info(`Reloaded ${server.runtime.modules.functions.size} functions in ${Date.now() - begun} ms`);
    } catch (error) {
      logger.error(`Build failed; still serving the last good version:\n${(error as Error).message}`);
    }
  });

  await new Promise<void>((resolveStop) => {
    process.once("SIGINT", resolveStop);
    process.once("SIGTERM", resolveStop);
  });
  stopWatching();
  await server.close();
  rmSync(join(stateDir, "admin-key"), { force: true });
  rmSync(join(stateDir, "dev-url"), { force: true });
  return 0;
}
