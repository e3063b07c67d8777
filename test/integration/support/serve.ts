// A server in its own process, for tests that kill it: prints its URL on the first line.
// Usage: node --import tsx serve.ts <functions dir> <database file> [--prod]
import { startServer } from "../../../src/server/index.js";

const [dir, db, flag] = process.argv.slice(2);
const server = await startServer({ dir: dir!, db: db!, port: 0, prod: flag === "--prod" });
process.stdout.write(`${server.url}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
