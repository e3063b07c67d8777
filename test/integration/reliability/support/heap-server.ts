// The reliability fixture's server in its own process (run with --expose-gc), so a test or the
// reliability benchmark can measure its memory alone: answers the IPC message "heap" with the
// heap used and the RSS after a full GC, its open sockets, the bytes queued for them and how many
// are behind (bytes waiting, or their recent transitions unread), and
// reports every error line the server logs. Server options may be given as JSON in the first
// argument. Prints nothing else.
import { startServer, type ServerOptions } from "../../../../src/server/index.js";

const RELIABILITY_DIR = new URL("../../../fixtures/reliability/syncline", import.meta.url).pathname;
const send = (message: unknown) => process.send!(message);
const options = JSON.parse(process.argv[2] ?? "{}") as ServerOptions;
const server = await startServer({
  dir: RELIABILITY_DIR,
  port: 0,
  db: ":memory:",
  ...options,
  logger: { info() {}, warn() {}, error: (line) => send({ error: line }), functionLine() {} },
});
send({ url: server.url, siteUrl: server.siteUrl });
process.on("message", (message) => {
  if (message === "heap") {
    // Twice: the first pass finalizes what the second frees.
    globalThis.gc!();
    globalThis.gc!();
    const { heapUsed, rss } = process.memoryUsage();
    const queued = server.sync.queuedBytes();
    const queuedBytes = queued.reduce((sum, bytes) => sum + bytes, 0);
    send({ heap: heapUsed, rss, sockets: server.sync.connections, queuedBytes, socketsBehind: server.sync.socketsBehind() });
  } else if (message === "cpu") {
    send({ cpu: process.cpuUsage() });
  } else if (message === "stop") {
    void server.close().then(() => process.exit(0));
  }
});
