// @vitest-environment happy-dom
// The TanStack adapter against the scripted server, which decides every query answer: errors
// before and after data and their recovery, refetches that cost no execution.

import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient, makeFunctionReference } from "syncline";
import { SynclineQueryClient, synclineQuery } from "syncline/tanstack";
import { startScriptedServer, type ScriptedConnection, type ScriptedServer } from "../../helpers/scripted-server.js";
import { eventually } from "../react/support.js";

const count = makeFunctionReference<"query", { name: string }, number>("query", "counter:get");

let server: ScriptedServer | undefined;
let client: SynclineClient | undefined;
let queryClient: QueryClient;
let bridge: SynclineQueryClient | undefined;
afterEach(async () => {
  cleanup();
  bridge?.disconnect();
  queryClient?.clear();
  await client?.close();
  await server?.close();
});

async function setup(answer: () => number | Error): Promise<{ socket: Promise<ScriptedConnection> }> {
  server = await startScriptedServer({
    auto: {
      query: () => {
        const value = answer();
        if (value instanceof Error) throw value;
        return value;
      },
    },
  });
  const socket = server.nextConnection();
  client = new SynclineClient(server.url, { WebSocket: WebSocket as never, logger: false, unsavedChangesWarning: false });
  queryClient = new QueryClient();
  bridge = new SynclineQueryClient(client, queryClient);
  bridge.connect();
  return { socket };
}
const wrap = (ui: ReactNode) => render(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);

function Counter() {
  const { data, error, status } = useQuery(synclineQuery(count, { name: "c" }));
  return <p data-testid="counter">{`${status}:${data ?? "-"}:${error?.message ?? "-"}`}</p>;
}

const text = () => screen.getByTestId("counter").textContent;
function queryIdOf(socket: ScriptedConnection): number {
  const [id] = [...socket.queries.keys()];
  return id!;
}

describe("SynclineQueryClient errors and refetches", () => {
  it("an error after data keeps the data and recovers with the next result", async () => {
    const { socket } = await setup(() => 1);
    wrap(<Counter />);
    await eventually(() => expect(text()).toBe("success:1:-"));
    const connection = await socket;
    const queryId = queryIdOf(connection);
    connection.transition([{ type: "QueryFailed", queryId, errorMessage: "boom", logLines: [], journal: null }]);
    await eventually(() => expect(text()).toMatch(/^error:1:.*boom/));
    connection.transition([{ type: "QueryUpdated", queryId, value: 2, logLines: [], journal: null }]);
    await eventually(() => expect(text()).toBe("success:2:-"));
  });

  it("an error before any data is the queryFn's rejection, and the live subscription still recovers it", async () => {
    const { socket } = await setup(() => new Error("not yet"));
    wrap(<Counter />);
    await eventually(() => expect(text()).toMatch(/^error:-:.*not yet/));
    const connection = await socket;
    connection.transition([{ type: "QueryUpdated", queryId: queryIdOf(connection), value: 7, logLines: [], journal: null }]);
    await eventually(() => expect(text()).toBe("success:7:-"));
    expect(bridge!.liveQueries).toBe(1);
  });

  it("invalidateQueries and refetchQueries answer from the live subscription without asking the server", async () => {
    const { socket } = await setup(() => 3);
    wrap(<Counter />);
    await eventually(() => expect(text()).toBe("success:3:-"));
    const connection = await socket;
    const modifies = connection.messages("ModifyQuerySet").length;
    await queryClient.invalidateQueries();
    await queryClient.refetchQueries();
    expect(text()).toBe("success:3:-");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.messages("ModifyQuerySet").length).toBe(modifies);
  });
});
