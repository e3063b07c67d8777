// A Node client: prints the room's messages whenever they change, and sends one message.
// `npm run dev` runs it next to the backend (and again on every save); `npm start` runs it alone
// against a backend that is already up. Stop it with Ctrl-C.

import { SynclineClient } from "syncline";
import WebSocket from "ws";
import { api } from "../syncline/_generated/api";

const url = process.env.SYNCLINE_URL ?? "http://127.0.0.1:3210";
const room = "general";
// Node 20 has no global WebSocket: the client takes the `ws` package's.
const client = new SynclineClient(url, { WebSocket });

// Live: the callback runs with the current messages, then again after every change.
const stop = client.subscribe(api.messages.list, { room }, (messages) => {
  console.log(`${messages.length} message(s): ${messages.map((message) => JSON.stringify(message.body)).join(", ")}`);
});

const body = process.argv[2] ?? `Hello from Node at ${new Date().toLocaleTimeString()}`;
const id = await client.mutation(api.messages.send, { room, body }); // resolves once the list shows it
console.log(`Sent ${JSON.stringify(body)} (${id}) to ${url}`);

const close = async () => {
  stop();
  await client.close();
};
process.once("SIGINT", () => void close());
process.once("SIGTERM", () => void close());
