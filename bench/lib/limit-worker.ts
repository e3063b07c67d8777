// The worker-thread side of bench/lib/limit-server.ts: the machine's limit for our transports,
// trivial servers that do the least a server of the protocol must - parse the request, answer it:
// - a `ws` server on the sync path answering each `Mutation` frame with a `MutationResponse`
//   (and a `ModifyQuerySet` with a bare `Transition`, so the same load generator can start);
// - a `node:http` server answering `POST /api/mutation` (the JSON body parsed) with a JSON success.
// Nothing is stored, nothing waits for a disk: what is left is the cost of Node, `ws`, JSON and
// the loopback, on the same thread layout as the real server (bench-server.ts).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort } from "node:worker_threads";
import { WebSocketServer } from "ws";

const port = parentPort;
if (port === null) throw new Error("bench/lib/limit-worker.ts runs as a worker thread (see limit-server.ts)");

/** A fixed commit timestamp (base64 of 8 little-endian bytes, as on the wire). */
const TS = Buffer.from(new BigUint64Array([1n]).buffer).toString("base64");

const wss = new WebSocketServer({ noServer: true });
wss.on("connection", (socket) => {
  let querySet = 0;
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString()) as { type: string; requestId?: number; newVersion?: number };
    if (message.type === "Mutation") {
      socket.send(JSON.stringify({ type: "MutationResponse", requestId: message.requestId, success: true, result: null, ts: TS, logLines: [] }));
    } else if (message.type === "ModifyQuerySet") {
      const startVersion = { querySet, identity: 0, ts: TS };
      querySet = message.newVersion ?? querySet;
      socket.send(JSON.stringify({ type: "Transition", startVersion, endVersion: { querySet, identity: 0, ts: TS }, modifications: [] }));
    }
  });
});

function answerMutation(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { path?: unknown };
    const ok = request.method === "POST" && request.url === "/api/mutation" && typeof body.path === "string";
    const text = JSON.stringify(ok ? { status: "success", value: null, logLines: [] } : { status: "error", errorMessage: "not found", logLines: [] });
    response.writeHead(ok ? 200 : 404, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
  });
}

const server = createServer(answerMutation);
server.on("upgrade", (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request)));
server.listen(0, "127.0.0.1", () => {
  port.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
port.on("message", (message: { op: "close" }) => {
  if (message.op !== "close") return;
  for (const client of wss.clients) client.terminate();
  server.closeAllConnections();
  server.close(() => port.postMessage({ closed: true }));
});
