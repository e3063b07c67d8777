// The internal functions that scheduled jobs, crons and HTTP actions call stay unreachable from
// clients - over the HTTP API and over the WebSocket, with the very message of a missing
// function - while trusted callers (`syncline run`, via the admin key) reach them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { ADMIN_SCHEME } from "../../src/server/http/admin.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { post, startTestServer } from "../helpers/server.js";

const ADMIN_KEY = "test-admin-key-0123456789";
let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ adminKey: ADMIN_KEY });
});
afterAll(() => server.close());

// Scheduled by mutations (build, countRun, explode), by actions and HTTP actions (countRun),
// run as a scheduled action (slowSummary), called from routed HTTP actions (sendOne, byAuthor).
const INTERNAL: [kind: "query" | "mutation" | "action", name: string, args: Record<string, unknown>][] = [
  ["mutation", "reports:build", { reportId: "reports_00000000000000000000000000" }],
  ["mutation", "reports:countRun", { label: "client" }],
  ["mutation", "reports:explode", { label: "client" }],
  ["action", "reports:slowSummary", { label: "client", ms: 0 }],
  ["mutation", "messages:sendOne", { body: "forged", author: "mallory" }],
  ["query", "messages:byAuthor", { author: "mallory" }],
];
const missing = (name: string) => `Could not find public function for '${name}'.`;

describe("internal functions used by the scheduler and HTTP actions", () => {
  it("are not callable through any endpoint of the HTTP API", async () => {
    for (const [kind, name, args] of INTERNAL) {
      for (const [path, body] of [
        [`/api/${kind}`, { path: name, args: [args] }],
        ["/api/function", { path: name, args }],
        [`/api/run/${name.replace(":", "/")}`, { args }],
      ] as const) {
        const answer = await post(server.url, path, body);
        expect([path, answer.body.status, answer.body.errorMessage]).toEqual([path, "error", missing(name)]);
      }
    }
    expect((await post(server.url, "/api/query", { path: "reports:runCount", args: [{ label: "client" }] })).body.value).toBe(0);
  });

  it("are not callable over the WebSocket: mutations, actions and subscriptions all fail as if missing", async () => {
    const socket = await openRawSocket(server.url);
    try {
      let requestId = 0;
      for (const [kind, name, args] of INTERNAL) {
        if (kind === "query") {
          socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: name, args: [args as never] }] });
          const transition = await socket.next("Transition");
          expect(transition.modifications).toMatchObject([{ type: "QueryFailed", queryId: 0, errorMessage: missing(name) }]);
          continue;
        }
        socket.send({ type: kind === "mutation" ? "Mutation" : "Action", requestId, udfPath: name, args: [args as never] });
        const response = kind === "mutation" ? await socket.next("MutationResponse") : await socket.next("ActionResponse");
        expect(response).toMatchObject({ requestId: requestId++, success: false, result: missing(name) });
      }
    } finally {
      socket.close();
    }
    expect((await post(server.url, "/api/query", { path: "reports:runCount", args: [{ label: "client" }] })).body.value).toBe(0);
  });

  it("are callable by `syncline run` (the admin key), like the scheduler calls them", async () => {
    const admin = { Authorization: `${ADMIN_SCHEME} ${ADMIN_KEY}` };
    const answer = await post(server.url, "/api/function", { path: "reports:countRun", args: { label: "admin" } }, admin);
    expect(answer.body.status).toBe("success");
    expect((await post(server.url, "/api/query", { path: "reports:runCount", args: [{ label: "admin" }] })).body.value).toBe(1);
    // A wrong key is just another client.
    const wrong = await post(server.url, "/api/function", { path: "reports:countRun", args: { label: "admin" } }, { Authorization: `${ADMIN_SCHEME} nope` });
    expect(wrong.body.errorMessage).toBe(missing("reports:countRun"));
  });
});
