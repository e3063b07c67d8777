// A server in its own process, for tests that kill it: prints "<api url> <site url>" on the first line.
// Usage: node --import tsx serve.ts <functions dir> <database file> [--prod] [--port N] [--site-port N]
import { parseArgs } from "node:util";
import { startServer } from "../../../src/server/index.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { prod: { type: "boolean", default: false }, port: { type: "string", default: "0" }, "site-port": { type: "string", default: "0" } },
});
const [dir, db] = positionals;
const server = await startServer({ dir: dir!, db: db!, port: Number(values.port), sitePort: Number(values["site-port"]), prod: values.prod! });
process.stdout.write(`${server.url} ${server.siteUrl}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
