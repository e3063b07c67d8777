// A client in its own process, for checking that close() leaves nothing keeping Node alive.
// Usage: node --import tsx exit-client.ts <url> ; reads commands from stdin, one per line:
//   "close" closes the client. Prints "ready" once its subscription has a result, "state <json>"
//   after each command, and "closed" after close() returned.
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "../../../../src/index.js";

const get = makeFunctionReference<"query", { name: string }, number>("query", "counter:get");
const url = process.argv[2]!;
const inactivityTimeoutMs = Number(process.argv[3] ?? "60000");
const client = new SynclineClient(url, { WebSocket, logger: false, inactivityTimeoutMs });
let ready = false;
client.subscribe(get, { name: "exit" }, () => {
  if (ready) return;
  ready = true;
  process.stdout.write("ready\n");
});
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "state") process.stdout.write(`state ${JSON.stringify(client.debug().socket)}\n`);
  if (line === "close") {
    void client.close().then(() => {
      process.stdout.write("closed\n");
      lines.close();
      process.stdin.destroy();
    });
  }
});
