// The HTTP API answers requests that are not function calls with a 4xx and
// {code, message} (protocol.md §13) - also when the URL itself is malformed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { post, startTestServer } from "../helpers/server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("/api/run/<module/path>/<export>", () => {
  it("a path with broken percent-encoding is a 4xx request problem, not a 500", async () => {
    const answer = await post(server.url, "/api/run/myFunctions/%E0%A4%A", { args: {} });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toEqual({ code: expect.any(String), message: expect.any(String) });
  });
});
