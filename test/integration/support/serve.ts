// A server in its own process, for tests that kill it: prints "<api url> <site url>" on the first line.
// Usage: node --import tsx serve.ts <functions dir> <database file> [--prod] [--port N] [--site-port N]
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServer } from "../../../src/server/index.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { prod: { type: "boolean", default: false }, port: { type: "string", default: "0" }, "site-port": { type: "string", default: "0" } },
});
const [dir, db] = positionals;
// SYNCLINE_TEST_CRASH_AFTER_COMMIT=<mutation or system write>: its first commit (on any node:
// the marker file SYNCLINE_TEST_CRASH_MARKER records it) kills this process before it answers.
const crashAfter = process.env.SYNCLINE_TEST_CRASH_AFTER_COMMIT;
const marker = process.env.SYNCLINE_TEST_CRASH_MARKER;
const testOnlyFaults =
  crashAfter === undefined || marker === undefined
    ? undefined
    : {
        afterCommit(name: string) {
          if (name !== crashAfter || existsSync(marker)) return;
          writeFileSync(marker, String(process.pid));
          process.kill(process.pid, "SIGKILL");
        },
      };
const server = await startServer({
  dir: dir!,
  db: db!,
  port: Number(values.port),
  sitePort: Number(values["site-port"]),
  prod: values.prod!,
  ...(testOnlyFaults !== undefined ? { testOnlyFaults } : {}),
});
process.stdout.write(`${server.url} ${server.siteUrl}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
