// @vitest-environment happy-dom
// createTestClient + SynclineTestProvider: the unchanged hooks on a real client whose results
// the test sets by hand, and whose mutations it records and answers.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { createTestClient, SynclineTestProvider, type TestClient } from "syncline/testing/react";
import { AppError } from "syncline/values";
import { api } from "../../fixtures/testing/syncline/_generated/api";
import type { Doc, Id } from "../../fixtures/testing/syncline/_generated/dataModel";
import { Messages, SendForm } from "./chat-components";

const clients: TestClient[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function newClient(options?: Parameters<typeof createTestClient>[0]): TestClient {
  const client = createTestClient(options);
  clients.push(client);
  return client;
}

const message = (id: string, body: string, author = "ann"): Doc<"messages"> => ({ _id: id as Id<"messages">, _creationTime: 1, room: "a", body, author });

function send(body: string) {
  fireEvent.change(screen.getByLabelText("message"), { target: { value: body } });
  fireEvent.click(screen.getByRole("button"));
}

describe("query results set by hand", () => {
  it("shows loading until a result is set, then every new result", async () => {
    const client = newClient();
    render(
      <StrictMode>
        <SynclineTestProvider client={client}>
          <Messages room="a" />
        </SynclineTestProvider>
      </StrictMode>,
    );
    expect(screen.getByText("Loading…")).toBeTruthy();
    act(() => client.setQueryResult(api.messages.list, { room: "a" }, [message("1", "hello")]));
    expect(await screen.findByText("ann: hello")).toBeTruthy();
    act(() => client.setQueryResult(api.messages.list, { room: "a" }, [message("1", "hello"), message("2", "again", "bo")]));
    expect(await screen.findByText("bo: again")).toBeTruthy();
    act(() => client.setQueryLoading(api.messages.list, { room: "a" }));
    expect(await screen.findByText("Loading…")).toBeTruthy();
  });

  it("answers only the arguments it was set for", async () => {
    const client = newClient();
    client.setQueryResult(api.messages.list, { room: "b" }, [message("1", "elsewhere")]);
    render(
      <SynclineTestProvider client={client}>
        <Messages room="a" />
      </SynclineTestProvider>,
    );
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(screen.getByText("Loading…")).toBeTruthy();
  });

  it("delivers a query error, with AppError data", async () => {
    const client = newClient();
    client.setQueryError(api.messages.list, { room: "a" }, new AppError({ code: "FORBIDDEN" }, "Not your room"));
    render(
      <SynclineTestProvider client={client}>
        <Messages room="a" />
      </SynclineTestProvider>,
    );
    expect((await screen.findByRole("alert")).textContent).toBe("FORBIDDEN");
    act(() => client.setQueryError(api.messages.list, { room: "a" }, new Error("database on fire")));
    expect((await screen.findByText(/database on fire/)).textContent).toBe("[Q(messages:list)] database on fire");
  });

  it("works for the framework-free client API too", async () => {
    const client = newClient();
    client.setQueryResult(api.messages.list, { room: "a" }, [message("1", "hi")]);
    expect(await client.query(api.messages.list, { room: "a" })).toEqual([message("1", "hi")]);
  });
});

describe("mutations recorded and answered", () => {
  it("records each call with its arguments and answers it with the default result", async () => {
    const client = newClient({ defaultResult: "id-default" });
    render(
      <SynclineTestProvider client={client}>
        <SendForm room="a" />
      </SynclineTestProvider>,
    );
    send("first");
    expect(await screen.findByText("sent id-default")).toBeTruthy();
    expect(client.mutationCalls(api.messages.send)).toMatchObject([{ args: { room: "a", body: "first" }, status: "resolved", outcome: { value: "id-default" } }]);
    expect(client.actionCalls(api.messages.countFromAction)).toEqual([]);
  });

  it("leaves calls pending with answer: manual, so the pending state shows, then resolves or rejects them", async () => {
    const client = newClient({ answer: "manual" });
    render(
      <SynclineTestProvider client={client}>
        <SendForm room="a" />
      </SynclineTestProvider>,
    );
    send("slow");
    expect(await screen.findByText("Sending…")).toBeTruthy();
    const call = await client.waitForMutationCall(api.messages.send);
    expect(call.status).toBe("pending");
    expect(client.mutationCalls(api.messages.send)).toEqual([call]);
    act(() => call.resolve("id-1" as Id<"messages">));
    expect(await screen.findByText("sent id-1")).toBeTruthy();
    expect(() => call.resolve()).toThrow(/answered already/);

    send("refused");
    await screen.findByText("Sending…");
    const second = await client.waitForMutationCall(api.messages.send, 1);
    expect(second.args).toEqual({ room: "a", body: "refused" });
    act(() => second.reject(new AppError({ code: "SLOW_DOWN" }, "Too many messages")));
    expect((await screen.findByRole("status")).textContent).toBe("[M(messages:send)] Too many messages");
  });

  it("answers with a handler, which may change what queries return", async () => {
    const client = newClient();
    const list = [message("1", "hello")];
    client.setQueryResult(api.messages.list, { room: "a" }, list);
    client.onMutation(api.messages.send, ({ room, body }) => {
      if (body === "") throw new AppError({ code: "EMPTY" }, "A message needs some text.");
      list.push(message(String(list.length + 1), body, "me"));
      client.setQueryResult(api.messages.list, { room }, [...list]);
      return String(list.length) as Id<"messages">;
    });
    render(
      <SynclineTestProvider client={client}>
        <Messages room="a" />
        <SendForm room="a" />
      </SynclineTestProvider>,
    );
    send("it works");
    expect(await screen.findByText("me: it works")).toBeTruthy();
    expect(await screen.findByText("sent 2")).toBeTruthy();
    send("");
    expect((await screen.findByRole("status")).textContent).toBe("[M(messages:send)] A message needs some text.");
    expect(client.mutationCalls(api.messages.send).map((call) => call.status)).toEqual(["resolved", "rejected"]);
  });

  it("shows an optimistic update while the call is pending and drops it once answered", async () => {
    const client = newClient({ answer: "manual" });
    client.setQueryResult(api.messages.list, { room: "a" }, [message("1", "hello")]);
    render(
      <SynclineTestProvider client={client}>
        <Messages room="a" />
        <SendForm room="a" optimistic />
      </SynclineTestProvider>,
    );
    await screen.findByText("ann: hello");
    send("draft");
    expect(await screen.findByText("me (sending): draft")).toBeTruthy();
    const call = await client.waitForMutationCall(api.messages.send);
    act(() => call.reject(new Error("no")));
    await screen.findByRole("status");
    expect(screen.queryByText("me (sending): draft")).toBeNull();
  });

  it("answers actions the same way", async () => {
    const client = newClient();
    client.onAction(api.messages.countFromAction, ({ room }) => (room === "a" ? 3 : 0));
    expect(await client.action(api.messages.countFromAction, { room: "a" })).toBe(3);
    expect(await client.waitForActionCall(api.messages.countFromAction)).toBe(client.actionCalls(api.messages.countFromAction)[0]);
    expect(client.actionCalls(api.messages.countFromAction)).toMatchObject([{ args: { room: "a" }, status: "resolved", outcome: { value: 3 } }]);
  });
});
