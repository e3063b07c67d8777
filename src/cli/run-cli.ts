// Argument parsing and dispatch for the `syncline` command; each command is its own module.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { closestNames, oneOf } from "../functions/closest-names.js";
// The other commands load their modules when they run: `syncline init` and `--help` load none
// of the server (esbuild, the native SQLite binding), so they start at once and work from a bare
// copy of the package.
import { init, TEMPLATES, type TemplateName } from "./init.js";
import type { ServeOptions } from "./serve.js";

const USAGE = `Usage: syncline <command> [options]

Commands:
  init [folder] [--template react|node] [--force]
        write a new project into folder (default: this one), ready for npm install && npm run dev:
        react (default) is a live React page with Vite, node a Node client run with tsx; refuses a
        folder that is not empty unless --force (which replaces files of the same names)
  dev [--dir syncline] [--port 3210] [--site-port 3211] [--db <file>|:memory:|postgres://...] [--url <public URL>] [--prod] [--no-typecheck] [--run "<command>"]
        generate code, serve the API (and HTTP actions on the site port), reload on every change;
        type-check the functions in the background with the project's TypeScript (reported,
        never blocking a reload; --no-typecheck turns it off); --url is where clients reach the
        server when that is not its own address (file and upload URLs start with it);
        --run starts a command beside the server once it is ready (--run "vite"), with
        SYNCLINE_URL and SYNCLINE_SITE_URL set; lines are prefixed with their source, Ctrl-C
        stops both, and when the command exits the server says why and stops too; --db (or
        SYNCLINE_DATABASE_URL) is a SQLite file or a PostgreSQL URL
  serve [--dir syncline] [--db <file>|postgres://...] [--port 3210] [--site-port <port+1>] [--host 0.0.0.0] [--url <public URL>] [--node-id <name>] [--drain-timeout <ms>]
        the production server: no watching, no code generation (refuses to start when
        <dir>/_generated/ is missing or out of date: run syncline codegen first), error messages
        redacted, JSON log lines when stdout is not a terminal; GET /health (node id, role, epoch,
        applied timestamp, lag) and GET /ready (200 serving, 503 starting or draining) on the API
        port; SIGTERM/SIGINT drains: new work refused, work in flight finished (at most
        --drain-timeout ms, default 5000), sockets closed with 1012 so clients reconnect at once,
        then exit 0; a second signal exits at once. Environment: SYNCLINE_DATABASE_URL, PORT,
        SYNCLINE_SITE_PORT, SYNCLINE_HOST, SYNCLINE_PUBLIC_URL, SYNCLINE_NODE_ID (flags win)
  codegen [--dir syncline]
        write <dir>/_generated/{api,server,dataModel}.ts
  run <name> ['<json args>'] [--dir syncline] [--db <file>|postgres://...]
        run any function (internal ones too) and print its result
  export [--db <file>|postgres://...] <snapshot file>
        write everything in the database (tables, documents, scheduled jobs, crons, stored
        files) at one consistent point to a snapshot file (gzip-compressed JSON Lines)
  import [--db <file>|postgres://...] [--replace] <snapshot file>
        load a snapshot into an empty database (--replace throws away what it holds);
        all or nothing: a damaged snapshot is refused and the database left as it was
  (--db defaults to SYNCLINE_DATABASE_URL, else .syncline/data.sqlite; a database a running
  server holds is refused)
`;

/** Where `syncline dev` keeps its database when run in the project folder. */
const DEFAULT_DB = ".syncline/data.sqlite";

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case "dev": {
      const { values } = parseArgs({
        args: rest,
        allowNegative: true, // --no-typecheck
        options: {
          dir: { type: "string", default: "syncline" },
          port: { type: "string", default: "3210" },
          "site-port": { type: "string" },
          db: { type: "string" },
          url: { type: "string" },
          prod: { type: "boolean", default: false },
          typecheck: { type: "boolean", default: true },
          run: { type: "string" },
        },
      });
      const port = portNumber("--port", values.port!);
      const sitePort = values["site-port"] === undefined ? undefined : portNumber("--site-port", values["site-port"]);
      const { dev } = await import("./dev.js");
      return dev({
        dir: resolve(values.dir!),
        port,
        prod: values.prod!,
        typecheck: values.typecheck!,
        ...(sitePort !== undefined ? { sitePort } : {}),
        ...(values.db ? { db: values.db } : {}),
        ...(values.url !== undefined ? { url: publicUrl(values.url) } : {}),
        ...(values.run !== undefined ? { run: nonEmptyCommand(values.run) } : {}),
      });
    }
    case "serve": {
      const { serve } = await import("./serve.js");
      return serve(parseServeArgs(rest, process.env));
    }
    case "init": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { template: { type: "string", short: "t", default: "react" }, force: { type: "boolean", default: false } },
      });
      if (positionals.length > 1) throw new Error(`syncline init takes one folder, got ${positionals.length}: ${positionals.join(" ")}`);
      return init({ folder: positionals[0] ?? ".", template: templateName(values.template!), force: values.force! });
    }
    case "codegen": {
      const { values } = parseArgs({ args: rest, options: { dir: { type: "string", default: "syncline" } } });
      const dir = resolve(values.dir!);
      const { runCodegen } = await import("../codegen/index.js");
      const loaded = await runCodegen({ dir });
      console.log(`Generated ${dir}/_generated for ${loaded.functions.size} functions.`);
      return 0;
    }
    case "run": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { dir: { type: "string", default: "syncline" }, db: { type: "string" } },
      });
      const [name, argsJson = "{}"] = positionals;
      if (!name) {
        console.error(`syncline run needs a function name.\n\n${USAGE}`);
        return 2;
      }
      const { runFunction } = await import("./run-function.js");
      return runFunction({ dir: resolve(values.dir!), name, argsJson, ...(values.db ? { db: values.db } : {}) });
    }
    case "export":
    case "import": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { db: { type: "string" }, ...(command === "import" ? { replace: { type: "boolean", default: false } } : {}) },
      });
      if (positionals.length !== 1) {
        console.error(`syncline ${command} needs one snapshot file.\n\n${USAGE}`);
        return 2;
      }
      const target = { db: values.db ?? (process.env.SYNCLINE_DATABASE_URL || DEFAULT_DB), file: positionals[0]! };
      const { exportCommand, importCommand } = await import("./snapshot-commands.js");
      return command === "export" ? exportCommand(target) : importCommand({ ...target, replace: values.replace === true });
    }
    case undefined:
      // A bare `syncline` is a question, not a success: a script that forgot the command must fail.
      console.error(`syncline needs a command.\n\n${USAGE}`);
      return 1;
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".${suggestCommand(command)}\n\n${USAGE}`);
      return 2;
  }
}

/**
 * The options of `syncline serve` from its flags and, for those not given, the environment a
 * platform sets (PORT: Heroku, Render, Cloud Run, ...). Throws a clear error for a bad value.
 *
 * @example
 * parseServeArgs(["--db", "app.sqlite"], { PORT: "8080" }); // { dir: "<cwd>/syncline", port: 8080, host: "0.0.0.0", db: "app.sqlite" }
 */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv): ServeOptions {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string", default: "syncline" },
      db: { type: "string" },
      port: { type: "string" },
      "site-port": { type: "string" },
      host: { type: "string" },
      url: { type: "string" },
      "node-id": { type: "string" },
      "drain-timeout": { type: "string" },
    },
  });
  // An empty variable counts as unset, as a shell's `VAR= cmd` means.
  const fromEnv = (name: string) => env[name] || undefined;
  const port = values.port ?? fromEnv("PORT");
  const sitePort = values["site-port"] ?? fromEnv("SYNCLINE_SITE_PORT");
  const url = values.url ?? fromEnv("SYNCLINE_PUBLIC_URL");
  const db = values.db || fromEnv("SYNCLINE_DATABASE_URL");
  const nodeId = values["node-id"] ?? fromEnv("SYNCLINE_NODE_ID");
  if (nodeId !== undefined && nodeId.trim() === "") throw new Error("--node-id must not be empty");
  return {
    dir: resolve(values.dir!),
    port: port === undefined ? 3210 : portNumber(values.port !== undefined ? "--port" : "PORT", port),
    host: values.host ?? fromEnv("SYNCLINE_HOST") ?? "0.0.0.0",
    ...(sitePort !== undefined ? { sitePort: portNumber(values["site-port"] !== undefined ? "--site-port" : "SYNCLINE_SITE_PORT", sitePort) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(url !== undefined ? { url: publicUrl(url) } : {}),
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(values["drain-timeout"] !== undefined ? { drainTimeoutMs: milliseconds("--drain-timeout", values["drain-timeout"]) } : {}),
  };
}

const COMMANDS = ["init", "dev", "serve", "codegen", "run", "export", "import", "help"];

/** " Did you mean dev?" for `syncline dve`; "" when no command is close. */
function suggestCommand(written: string): string {
  const close = closestNames(written, COMMANDS);
  return close.length > 0 ? ` Did you mean ${oneOf(close)}?` : "";
}

/** `--template` of `syncline init`: one of the templates the package ships. */
function templateName(value: string): TemplateName {
  if ((TEMPLATES as readonly string[]).includes(value)) return value as TemplateName;
  throw new Error(`--template must be one of ${TEMPLATES.join(", ")}, got ${value}`);
}

/** A port option (`--port`, `PORT`): 0 (any free port) to 65535. */
function portNumber(name: string, value: string): number {
  const port = Number(value);
  if (value.trim() === "" || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got ${value}`);
  return port;
}

/** A duration option in milliseconds (`--drain-timeout 10000`). */
function milliseconds(name: string, value: string): number {
  const ms = Number(value);
  if (value.trim() === "" || !Number.isFinite(ms) || ms < 0) throw new Error(`${name} must be a number of milliseconds, got ${value}`);
  return ms;
}

/** `--run`: a command line for the shell. */
function nonEmptyCommand(value: string): string {
  if (value.trim() === "") throw new Error(`--run needs a command, such as --run "vite"`);
  return value;
}

/** `--url`: where clients reach the server (file and upload URLs start with it). */
function publicUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(`--url must be an http(s) URL such as https://api.example.com, got ${value}`);
  }
  return value;
}
