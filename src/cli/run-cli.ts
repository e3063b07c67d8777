// Argument parsing and dispatch for the `syncline` command; each command is its own module.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runCodegen } from "../codegen/index.js";
import { dev } from "./dev.js";
import { runFunction } from "./run-function.js";

const USAGE = `Usage: syncline <command> [options]

Commands:
  dev [--dir syncline] [--port 3210] [--site-port 3211] [--db <file>|:memory:|postgres://...] [--url <public URL>] [--prod] [--no-typecheck]
        generate code, serve the API (and HTTP actions on the site port), reload on every change;
        type-check the functions in the background with the project's TypeScript (reported,
        never blocking a reload; --no-typecheck turns it off); --url is where clients reach the
        server when that is not its own address (file and upload URLs start with it); --db
        (or SYNCLINE_DATABASE_URL) is a SQLite file or a PostgreSQL URL
  codegen [--dir syncline]
        write <dir>/_generated/{api,server,dataModel}.ts
  run <name> ['<json args>'] [--dir syncline] [--db <file>|postgres://...]
        run any function (internal ones too) and print its result
`;

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
        },
      });
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
      const sitePort = values["site-port"] === undefined ? undefined : Number(values["site-port"]);
      if (sitePort !== undefined && (!Number.isInteger(sitePort) || sitePort < 0 || sitePort > 65535)) {
        throw new Error(`--site-port must be a port number, got ${values["site-port"]}`);
      }
      return dev({
        dir: resolve(values.dir!),
        port,
        prod: values.prod!,
        typecheck: values.typecheck!,
        ...(sitePort !== undefined ? { sitePort } : {}),
        ...(values.db ? { db: values.db } : {}),
        ...(values.url !== undefined ? { url: publicUrl(values.url) } : {}),
      });
    }
    case "codegen": {
      const { values } = parseArgs({ args: rest, options: { dir: { type: "string", default: "syncline" } } });
      const dir = resolve(values.dir!);
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
      return runFunction({ dir: resolve(values.dir!), name, argsJson, ...(values.db ? { db: values.db } : {}) });
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

/** `--url`: where clients reach the server (file and upload URLs start with it). */
function publicUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(`--url must be an http(s) URL such as https://api.example.com, got ${value}`);
  }
  return value;
}
