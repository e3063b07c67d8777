// @vitest-environment happy-dom
// SynclineTestProvider over a test runtime: components run against the real functions in the
// test's process, and a write from anywhere - the component, the test, a scheduled job -
// re-renders them.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { SynclineTestProvider } from "syncline/testing/react";
import { silentLogger } from "syncline/server";
import { api } from "../../fixtures/testing/syncline/_generated/api";
import type { DataModel } from "../../fixtures/testing/syncline/_generated/dataModel";
import { Messages, SendForm } from "./chat-components";
import { TESTING_FIXTURE } from "./fixture";

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: TESTING_FIXTURE, logger: silentLogger });
});
afterEach(async () => {
  cleanup();
  await t.close();
});

function send(body: string) {
  fireEvent.change(screen.getByLabelText("message"), { target: { value: body } });
  fireEvent.click(screen.getByRole("button"));
}

describe("components against the real runtime", () => {
  it("shows seeded data, and re-renders when the component's own mutation commits", async () => {
    await t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "seeded", author: "test" }));
    render(
      <StrictMode>
        <SynclineTestProvider runtime={t} clientOptions={{ logger: false }}>
          <Messages room="a" />
          <SendForm room="a" />
        </SynclineTestProvider>
      </StrictMode>,
    );
    expect(await screen.findByText("test: seeded")).toBeTruthy();
    send("from the component");
    expect(await screen.findByText("guest: from the component")).toBeTruthy();
    expect(await t.query(api.messages.list, { room: "a" })).toHaveLength(2);
  });

  it("re-renders on writes of the test: calls and t.run", async () => {
    render(
      <SynclineTestProvider runtime={t} clientOptions={{ logger: false }}>
        <Messages room="a" />
      </SynclineTestProvider>,
    );
    await screen.findByRole("list");
    await act(() => t.mutation(api.messages.send, { room: "a", body: "from the test" }));
    expect(await screen.findByText("guest: from the test")).toBeTruthy();
    await act(() => t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "written directly", author: "db" })));
    expect(await screen.findByText("db: written directly")).toBeTruthy();
  });

  it("shows the real function's AppError", async () => {
    render(
      <SynclineTestProvider runtime={t} clientOptions={{ logger: false }}>
        <SendForm room="a" />
      </SynclineTestProvider>,
    );
    send("");
    expect((await screen.findByRole("status")).textContent).toBe("[M(messages:send)] A message needs some text.");
  });

  it("runs as the identity of withIdentity", async () => {
    render(
      <SynclineTestProvider runtime={t.withIdentity({ subject: "eve", name: "Eve" })} clientOptions={{ logger: false }}>
        <Messages room="a" />
        <SendForm room="a" />
      </SynclineTestProvider>,
    );
    await screen.findByRole("list");
    send("signed in");
    expect(await screen.findByText("Eve: signed in")).toBeTruthy();
  });
});
