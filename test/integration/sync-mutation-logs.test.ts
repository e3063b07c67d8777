// What the server's logger prints for a socket's mutations (session-requests.ts): a failing one
// under its canonical name, a silent success nothing at all - the quiet case skips the work.

import { afterEach, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { openRawSocket } from "../helpers/raw-socket.js";
import { recordingLogger, startTestServer } from "../helpers/server.js";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
});

it("logs a failed socket mutation under its canonical name and a silent one not at all", async () => {
  const { logger, lines } = recordingLogger();
  server = await startTestServer({ logger });
  const socket = await openRawSocket(server.url);
  socket.send({ type: "Mutation", requestId: 0, udfPath: "behaviour.js:send", args: [{ room: "logs", body: "quiet" }] });
  socket.send({ type: "Mutation", requestId: 1, udfPath: "behaviour.js:writeThenThrow", args: [{ room: "logs" }] });
  const quiet = await socket.next("MutationResponse");
  const failed = await socket.next("MutationResponse");
  expect([quiet.success, failed.success]).toEqual([true, false]);
  expect(lines).toEqual([expect.stringMatching(/^mutation behaviour:writeThenThrow \[ERROR\] .*changed my mind/)]);
  socket.close();
});
