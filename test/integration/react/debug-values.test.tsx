// @vitest-environment happy-dom
// The labels React DevTools shows for our hooks (useDebugValue), read through a spy on React.

import { cleanup } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import type { SynclineClient } from "syncline";
import type { RunningServer } from "syncline/server";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { startTestServer } from "../../helpers/server.js";
import { eventually, newClient, renderWith } from "./support.js";

const labels: string[] = [];
vi.mock("react", async (importOriginal) => {
  const actual = await importOriginal<typeof import("react")>();
  return {
    ...actual,
    // DevTools calls the formatter when it inspects a component; here every call is "inspected".
    useDebugValue: <T,>(value: T, format?: (value: T) => unknown) => {
      labels.push(String(format ? format(value) : value));
    },
  };
});

const { useQuery, useMutation, useConnectionState } = await import("syncline/react");

let server: RunningServer;
let client: SynclineClient;
beforeAll(async () => {
  server = await startTestServer();
  client = newClient(server);
});
afterAll(async () => {
  await client.close();
  await server.close();
});
afterEach(cleanup);

it("labels hooks with the function name and state", async () => {
  function Labelled() {
    useQuery(api.myFunctions.sum, { a: 1, b: 1 });
    useMutation(api.behaviour.send);
    useConnectionState();
    return null;
  }
  renderWith(client, <Labelled />);
  expect(labels).toContain("myFunctions:sum: pending");
  expect(labels).toContain("behaviour:send");
  await eventually(() => expect(labels).toContain("myFunctions:sum: success"));
  await eventually(() => expect(labels).toContain("connected"));
});
