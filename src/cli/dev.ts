// `syncline dev`: codegen, serve, and on every change rebuild, regenerate and hot-swap the
// functions without dropping connections. A compile error is printed with file and line, and the
// last good code keeps serving. After every (re)load the functions are type-checked in the
// background; type errors are reported but do not stop the new code.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { newAdminKey, writeAdminKey } from "../server/http/admin.js";
import { consoleLogger } from "../server/logger.js";
import type { LoadedModules } from "../server/runtime/load.js";
import { isLoadFailure, startServer, type RunningServer } from "../server/start-server.js";
import { watchFunctions } from "./watch-functions.js";
import { writeGeneratedStep } from "../codegen/generated-step.js";
import { describeExit, exitCodeOf, prefixLines, startCompanion, type Companion } from "./companion.js";
import { createTypeChecker, type TypeChecker } from "./typecheck/checker.js";
import { findTypeScript } from "./typecheck/find-typescript.js";
import { watchProjectConfig } from "./typecheck/watch-config.js";
import { onStopSignals } from "./stop-signals.js";

export interface DevOptions {
  dir: string;
  port: number;
  /** The site port of HTTP actions (default port + 1). */
  sitePort?: number;
  db?: string;
  /** Where clients reach the server, if not at its own address (file and upload URLs start with it). */
  url?: string;
  prod: boolean;
  /** Type-check the functions after every (re)load with the project's TypeScript (default true). */
  typecheck?: boolean;
  /**
   * A command to run beside the server once it is ready (`vite`), through the shell, with
   * SYNCLINE_URL and SYNCLINE_SITE_URL set; its lines and the server's are prefixed with their
   * source, and each stops with the other (see companion.ts).
   */
  run?: string;
}

/** Runs until SIGINT/SIGTERM (or until the `run` command exits); resolves to the exit code. */
export async function dev(options: DevOptions): Promise<number> {
  const paint = terminalPaint();
  const logger = consoleLogger(options.run === undefined ? process.stdout : prefixLines(process.stdout, paint(36, "[syncline]")));
  const stateDir = join(dirname(options.dir), ".syncline");
  const adminKey = newAdminKey();
  const started = Date.now();
  // Signals are handled from the start: a signal stops a server that is still loading, or one
  // waiting for the functions to load, cleanly. A file saved while the first build reads the
  // folder is reloaded once the server is up.
  let stopRequested!: () => void;
  const stop = new Promise<void>((resolve) => (stopRequested = resolve));
  // A second Ctrl-C while stopping: stop now (the `exit` listeners still stop a --run command).
  const stopListening = onStopSignals(() => stopRequested(), () => process.exit(130));
  let checker: TypeChecker | undefined;
  // The message of the failing build now showing: a save that fails the same way again (or an
  // editor that saves in two writes) says so in one line instead of printing it all again.
  let failure: string | undefined;
  const reportFailure = (error: unknown, still: string) => {
    const message = (error as Error).message;
    if (message === failure) logger.error(`Build failed again with the same error (above); ${still}.`);
    else logger.error(`Build failed; ${still}:\n${message}`);
    failure = message;
  };
  // Until the first load succeeds there is no server: a change wakes the next attempt (or marks
  // that one is needed, when it comes while an attempt runs).
  let running: RunningServer | undefined;
  let wake: (() => void) | undefined;
  let changedMeanwhile = false;
  const stopWatching = watchFunctions(options.dir, async () => {
    const server = running;
    if (server === undefined) {
      changedMeanwhile = wake === undefined;
      wake?.();
      wake = undefined;
      return;
    }
    const begun = Date.now();
    checker?.cancel(); // its answer would be about the code this change replaces
    try {
      await server.reload();
      failure = undefined;
      logger.info(`Reloaded ${server.runtime.modules.functions.size} functions in ${Date.now() - begun} ms`);
      // Not awaited: the next change must not wait for a check, it cancels it.
      void checker?.check();
    } catch (error) {
      reportFailure(error, "still serving the last good version");
    }
  });

  let server: RunningServer | undefined;
  try {
    server = await startWhenLoaded();
  } catch (error) {
    stopWatching();
    stopListening();
    throw error;
  }
  if (server === undefined) {
    // Stopped by a signal before the functions ever loaded.
    stopWatching();
    stopListening();
    return 0;
  }
  /**
   * Starts the server once the functions folder loads: a load that fails is reported once and
   * retried on the next change; any other failure (port taken, database in use) ends `dev`.
   */
  async function startWhenLoaded(): Promise<RunningServer | undefined> {
    for (;;) {
      changedMeanwhile = false;
      try {
        const started = await startServer({ ...options, generated: writeGeneratedStep, adminKey, logger });
        running = started;
        failure = undefined;
        if (changedMeanwhile) await started.reload().catch((error: unknown) => reportFailure(error, "still serving the last good version"));
        return started;
      } catch (error) {
        if (!isLoadFailure(error)) throw error;
        reportFailure(error, "fix it and save: the server starts as soon as the functions load");
      }
      if (changedMeanwhile) continue;
      const changed = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
      if (!(await Promise.race([changed, stop.then(() => false)]))) return undefined;
    }
  }
  mkdirSync(stateDir, { recursive: true }); // after the start, which refuses a missing functions folder
  writeAdminKey(join(stateDir, "admin-key"), adminKey);
  writeFileSync(join(stateDir, "dev-url"), server.url);
  const project = dirname(options.dir);
  let typescript = options.typecheck === false ? undefined : findTypeScript(project);
  checker = typescript && createTypeChecker({ dir: options.dir, typescript, logger });
  void checker?.check();
  // A changed tsconfig.json or package.json changes what the check says: check again. Installing
  // TypeScript (package.json changes) turns checking on.
  const stopWatchingConfig =
    options.typecheck === false
      ? () => {}
      : watchProjectConfig(project, () => {
          if (checker === undefined) {
            typescript = findTypeScript(project);
            if (typescript === undefined) return;
            checker = createTypeChecker({ dir: options.dir, typescript, logger });
            logger.info(`Type checking is on: TypeScript ${typescript.version} is installed now.`);
          }
          void checker.check();
        });

  logger.info(`Syncline dev server ready in ${Date.now() - started} ms`);
  logger.info(`  API:       ${server.url}`);
  logger.info(`  Site:      ${server.siteUrl} (${siteContents(server.runtime.modules, options.dir)})`);
  logger.info(`  Functions: ${options.dir} (${server.runtime.modules.functions.size} functions, watching for changes)`);
  if (options.typecheck === false) logger.info("  Types:     not checked (--no-typecheck)");
  else if (typescript === undefined) logger.info(`  Types:     type checking is off: typescript is not installed in ${project}`);
  else logger.info(`  Types:     checked with TypeScript ${typescript.version} after every reload, in the background`);

  const companion = options.run === undefined ? undefined : startBeside(options.run, server);
  const endedFirst = await Promise.race([stop.then(() => undefined), companion?.exited ?? new Promise<never>(() => {})]);
  let code = 0;
  if (endedFirst !== undefined && companion !== undefined) {
    logger.warn(`${describeExit(companion.name, endedFirst)}; stopping the dev server.`);
    code = exitCodeOf(endedFirst);
  }
  await companion?.stop();
  stopWatching();
  stopWatchingConfig();
  await checker?.stop();
  await server.close();
  rmSync(join(stateDir, "admin-key"), { force: true });
  rmSync(join(stateDir, "dev-url"), { force: true });
  stopListening();
  return code;

  function startBeside(command: string, running: RunningServer): Companion {
    // Colors survive the pipe when they would have shown in the terminal.
    const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined ? { FORCE_COLOR: "1" } : {};
    return startCompanion(command, {
      cwd: dirname(options.dir),
      env: { ...process.env, ...color, SYNCLINE_URL: running.url, SYNCLINE_SITE_URL: running.siteUrl },
      output: { stdout: (line) => process.stdout.write(`${line}\n`), stderr: (line) => process.stderr.write(`${line}\n`) },
      paint: (prefix) => paint(35, prefix),
    });
  }
}

/** Colors for the `[source]` prefixes on a terminal; plain text elsewhere. */
function terminalPaint(): (code: number, text: string) => string {
  const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  return (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
}

/** What the banner says the site serves: the routes of http.ts, or how to add some. */
function siteContents(loaded: LoadedModules, dir: string): string {
  const project = dirname(dir);
  const file = loaded.modules.find((module) => module.modulePath === "http")?.file;
  if (file === undefined) return `no HTTP actions yet: ${relative(project, join(dir, "http.ts"))} default-exporting httpRouter() adds them`;
  if (loaded.http === undefined) return `no HTTP actions: ${relative(project, file)} does not default-export httpRouter()`;
  return `HTTP actions of ${relative(project, file)}`;
}
