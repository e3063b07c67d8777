// Argument parsing and dispatch for the `syncline` command; each command is its own module.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runCodegen } from "../codegen/index.js";
import { closestNames, oneOf } from "../functions/closest-names.js";
import { dev } from "./dev.js";
import { runFunction } from "./run-function.js";
import { exportCommand, importCommand } from "./snapshot-commands.js";

const USAGE = `Usage: syncline <command> [options]

Commands:
  dev [--dir syncline] [--port 3210] [--site-port 3211] [--db <file>|:memory:] [--url <public URL>] [--prod] [--no-typecheck]
        generate code, serve the API (and HTTP actions on the site port), reload on every change;
        type-check the functions in the background with the project's TypeScript (reported,
        never blocking a reload; --no-typecheck turns it off); --url is where clients reach the
        server when that is not its own address (file and upload URLs start with it)
  codegen [--dir syncline]
        write <dir>/_generated/{api,server,dataModel}.ts
  run <name> ['<json args>'] [--dir syncline] [--db <file>]
        run any function (internal ones too) and print its result
  export [--db <file>] <snapshot file>
        write everything in the database (tables, documents, scheduled jobs, crons, stored
        files) at one consistent point to a snapshot file (gzip-compressed JSON Lines)
  import [--db <file>] [--replace] <snapshot file>
        load a snapshot into an empty database (--replace throws away what it holds);
        all or nothing: a damaged snapshot is refused and the database left as it was
  (--db defaults to .syncline/data.sqlite; a database a running server holds is refused)
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
    case "export":
    case "import": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { db: { type: "string", default: DEFAULT_DB }, ...(command === "import" ? { replace: { type: "boolean", default: false } } : {}) },
      });
      if (positionals.length !== 1) {
        console.error(`syncline ${command} needs one snapshot file.\n\n${USAGE}`);
        return 2;
      }
      const target = { db: values.db as string, file: positionals[0]! };
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

const COMMANDS = ["dev", "codegen", "run", "help"];

/** " Did you mean dev?" for `syncline dve`; "" when no command is close. */
function suggestCommand(written: string): string {
  const close = closestNames(written, COMMANDS);
  return close.length > 0 ? ` Did you mean ${oneOf(close)}?` : "";
}

/** `--url`: where clients reach the server (file and upload URLs start with it). */
function publicUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(`--url must be an http(s) URL such as https://api.example.com, got ${value}`);
  }
  return value;
}
