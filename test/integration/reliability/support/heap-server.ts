// The reliability fixture's server in its own process (run with --expose-gc), so a test can
// measure its heap alone: answers the IPC message "heap" with the heap used after a full GC, and
// reports every error line the server logs. Prints nothing else.
import { startServer } from "../../../../src/server/index.js";

const RELIABILITY_DIR = new URL("../../../fixtures/reliability/syncline", import.meta.url).pathname;
const send = (message: unknown) => process.send!(message);
const server = await startServer({
  dir: RELIABILITY_DIR,
  port: 0,
  db: ":memory:",
  logger: { info() {}, warn() {}, error: (line) => send({ error: line }), functionLine() {} },
});
send({ url: server.url, siteUrl: server.siteUrl });
process.on("message", (message) => {
  if (message === "heap") {
    // Twice: the first pass finalizes what the second frees.
    globalThis.gc!();
    globalThis.gc!();
    send({ heap: process.memoryUsage().heapUsed, sockets: server.sync.connections });
  } else if (message === "stop") {
    void server.close().then(() => process.exit(0));
  }
});
