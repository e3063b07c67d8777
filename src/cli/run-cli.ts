// Argument parsing and dispatch for the `syncline` command; each command is its own module.

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { runCodegen } from "../codegen/index.js";

const USAGE = `Usage: syncline <command> [options]

Commands:
  codegen [--dir syncline]   write <dir>/_generated/{api,server,dataModel}.ts
`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "codegen": {
      const { values } = parseArgs({ args: rest, options: { dir: { type: "string", default: "syncline" } } });
      const dir = resolve(values.dir!);
      const loaded = await runCodegen({ dir });
      console.log(`Generated ${dir}/_generated for ${loaded.functions.size} functions.`);
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
