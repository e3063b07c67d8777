import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { call, startTestServer } from "../helpers/server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ prod: true });
});
afterAll(() => server.close());

describe("--prod", () => {
  it("redacts plain error messages and sends no log lines", async () => {
    const answer = await call(server.url, "query", "behaviour:failPlain", {});
    expect(answer.body).toEqual({ status: "error", errorMessage: "Server Error", logLines: [] });
    expect((await call(server.url, "query", "behaviour:logs", {})).body.logLines).toEqual([]);
  });

  it("still delivers AppError data", async () => {
    const answer = await call(server.url, "mutation", "behaviour:failWithData", { code: "KEPT" });
    expect(answer.body).toMatchObject({ status: "error", errorData: { code: "KEPT", retry: false } });
  });
});
