// @vitest-environment happy-dom
// Audit of the TanStack Query adapter: each test here fails because of a bug in src/tanstack
// (see the comments).

import { QueryClient, QueryClientProvider, useQuery, type QueryClientConfig } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { SynclineClient } from "syncline";
import { SynclineQueryClient, synclineQuery } from "syncline/tanstack";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { eventually, newClient, serverPerFile } from "../react/support.js";

const shared = serverPerFile();
let client: SynclineClient;
let queryClient: QueryClient;
let bridge: SynclineQueryClient;

afterEach(async () => {
  cleanup();
  bridge?.disconnect();
  queryClient?.clear();
  await client?.close();
});

function setup(config: QueryClientConfig["defaultOptions"] = {}) {
  client = newClient(shared.server);
  queryClient = new QueryClient({ defaultOptions: { ...config, queries: { retry: false, ...config.queries } } });
  bridge = new SynclineQueryClient(client, queryClient);
  bridge.connect();
}
const wrap = (ui: ReactNode) => render(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>);
const room = () => `tqa-${Math.random().toString(36).slice(2)}`;
const bodies = (messages: { body: string }[] | undefined) => messages?.map((m) => m.body).join(",") ?? "loading";

function Messages({ room }: { room: string }) {
  const { data } = useQuery(synclineQuery(api.behaviour.listRoom, { room }));
  return <p data-testid={`tq-${room}`}>{bodies(data)}</p>;
}

describe("SynclineQueryClient audit", () => {
  // src/tanstack/syncline-query-client.ts #ensureLive hashes the key with
  // `getQueryCache().build(queryClient, { queryKey })`, which ignores the QueryClient's
  // queryKeyHashFn: with a custom one the hash differs from the real query's, so build() adds a
  // second, observer-less query under the default hash. When that phantom is garbage-collected
  // (gcTime later), its "removed" event matches the live subscription's hash and #stopLive ends
  // the subscription of the query that is still on screen.
  it("stays live with a custom queryKeyHashFn (a phantom query's gc does not end the subscription)", async () => {
    setup({ queries: { gcTime: 200, queryKeyHashFn: (key) => `custom:${JSON.stringify(key)}` } });
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    await new Promise((resolve) => setTimeout(resolve, 600)); // past gcTime
    expect(bridge.liveQueries).toBe(1); // the component is still mounted
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "still live" });
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("still live"), 2000);
  });

  it("with a custom queryKeyHashFn adds no second query to the cache", async () => {
    setup({ queries: { queryKeyHashFn: (key) => `custom:${JSON.stringify(key)}` } });
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    expect(queryClient.getQueryCache().findAll({ queryKey: ["syncline", "behaviour:listRoom"] })).toHaveLength(1);
  });

  // connect() only follows cache events from then on; disconnect() ends every subscription. So
  // after disconnect() + connect() (what a `useEffect(() => bridge.connect(), [])` does under
  // StrictMode, or a hot reload) a query that is still observed never gets a subscription back,
  // and with staleTime Infinity TanStack never refetches it: it shows its last value for good.
  it("after disconnect() and connect() again, observed queries are live again", async () => {
    setup();
    const r = room();
    wrap(<Messages room={r} />);
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe(""));
    bridge.disconnect();
    bridge.connect();
    await shared.writer.mutation(api.behaviour.send, { room: r, body: "after reconnect" });
    await eventually(() => expect(screen.getByTestId(`tq-${r}`).textContent).toBe("after reconnect"), 2000);
  });

  // #onCacheEvent subscribes on every "observerAdded", whatever the observer's options: a
  // disabled observer (`enabled: false`, TanStack's "do not fetch this") makes the server run the
  // query, and the result is pushed into the cache, so a disabled query shows data.
  it("enabled: false neither subscribes nor fills the cache", async () => {
    setup();
    const r = room();
    let status = "";
    function Disabled() {
      const result = useQuery({ ...synclineQuery(api.behaviour.listRoom, { room: r }), enabled: false });
      status = `${result.status}/${result.fetchStatus}/${result.data === undefined ? "no data" : "data"}`;
      return null;
    }
    const before = shared.server.runtime.executionCount("behaviour:listRoom");
    wrap(<Disabled />);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(status).toBe("pending/idle/no data");
    expect(bridge.liveQueries).toBe(0);
    expect(client.debug().subscriptions).toHaveLength(0);
    expect(shared.server.runtime.executionCount("behaviour:listRoom") - before).toBe(0);
  });
});
