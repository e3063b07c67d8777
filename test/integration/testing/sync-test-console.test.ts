// syncTest's default logger: the functions' console lines on the test's console, named as the dev
// terminal names them. A file of its own: the console is spied on before any function ran, since
// the runtime wraps the console methods it finds when the first function runs.
import { expect, it, vi } from "vitest";
import { syncTest } from "syncline/testing";
import { api } from "../../fixtures/testing/syncline/_generated/api";
import { TESTING_FIXTURE } from "./fixture";

it("prints the functions' log lines on the console by default", async () => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const t = await syncTest({ dir: TESTING_FIXTURE });
  try {
    await t.mutation(api.messages.send, { room: "lobby", body: "hi" });
    await t.fetch("/send", { method: "POST", body: JSON.stringify({ room: "web", body: "x" }) });
    expect(log.mock.calls.map((call) => call.join(" "))).toEqual(["[M(messages:send)] [LOG] 'sending to' 'lobby'", "[H(POST /send)] [LOG] 'sending to' 'web'"]);
  } finally {
    log.mockRestore();
    await t.close();
  }
});
