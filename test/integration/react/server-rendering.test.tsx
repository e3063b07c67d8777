// @vitest-environment node
// Server-side rendering: renderToString with any hook opens no socket, subscribes nothing and
// does not throw; a preloaded result is in the HTML, useSuspenseQuery sends its fallback.

import { PassThrough } from "node:stream";
import { renderToPipeableStream, renderToString } from "react-dom/server";
import { Suspense } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient } from "syncline";
import {
  AuthLoading,
  Authenticated,
  ClientOnlyError,
  SynclineProvider,
  SynclineProviderWithAuth,
  Unauthenticated,
  preloadQuery,
  useAction,
  useConnectionState,
  useMutation,
  useMutationState,
  usePaginatedQuery,
  usePreloadedQuery,
  useQueries,
  useQuery,
  useQueryState,
  useSuspenseQuery,
  type Preloaded,
} from "syncline/react";
import type { RunningServer } from "syncline/server";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { startTestServer } from "../../helpers/server.js";

let server: RunningServer;
let client: SynclineClient | undefined;
let sockets = 0;
class CountingWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets++;
  }
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function newCountingClient(): SynclineClient {
  sockets = 0;
  return (client = new SynclineClient(server.url, { WebSocket: CountingWebSocket as never, logger: false, unsavedChangesWarning: false }));
}

describe("server-side rendering", () => {
  it("renders every non-suspending hook without a socket, a subscription or an error", async () => {
    const syncline = newCountingClient();
    const room = `ssr-${Math.random().toString(36).slice(2)}`;
    const writer = new SynclineClient(server.url, { WebSocket: WebSocket as never, logger: false, unsavedChangesWarning: false });
    await writer.mutation(api.behaviour.send, { room, body: "from the server" });
    await writer.close();
    const preloaded = await preloadQuery(api.behaviour.listRoom, { room }, { url: server.url });
    // The preloaded value survives a JSON round trip (a loader hands it to the page as JSON).
    const shipped = JSON.parse(JSON.stringify(preloaded)) as Preloaded<typeof api.behaviour.listRoom>;
    function Page() {
      const live = useQuery(api.behaviour.listRoom, { room });
      const state = useQueryState(api.behaviour.listRoom, { room });
      const many = useQueries({ s: { query: api.myFunctions.sum, args: { a: 1, b: 2 } } });
      const pages = usePaginatedQuery(api.behaviour.paged, { room }, { initialNumItems: 5 });
      const first = usePreloadedQuery(shipped);
      const connection = useConnectionState();
      useMutation(api.behaviour.send);
      useMutationState(api.behaviour.send);
      useAction(api.behaviour.slowAction);
      return (
        <p>
          {`live=${live === undefined ? "loading" : "value"} state=${state.status} many=${String(many.s)} pages=${pages.status}/${pages.results.length} `}
          {`preloaded=${first.map((m) => m.body).join(",")} connected=${String(connection.isConnected)}`}
        </p>
      );
    }
    const html = renderToString(
      <SynclineProvider client={syncline}>
        <Page />
      </SynclineProvider>,
    );
    expect(html).toContain("live=loading state=pending many=undefined pages=LoadingFirstPage/0");
    expect(html).toContain("preloaded=from the server");
    expect(html).toContain("connected=false");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sockets).toBe(0);
    expect(syncline.debug().subscriptions).toHaveLength(0);
  });

  // renderToString cannot wait for a suspended component (it sends the fallback), and the
  // browser loads the query after hydration: subscribing here would only hold a socket open.
  it("sends useSuspenseQuery's fallback without opening a socket or subscribing", async () => {
    const syncline = newCountingClient();
    function Sum() {
      return <p>{useSuspenseQuery(api.myFunctions.sum, { a: 1, b: 2 })}</p>;
    }
    const html = renderToString(
      <SynclineProvider client={syncline}>
        <Suspense fallback={<i>wait</i>}>
          <Sum />
        </Suspense>
      </SynclineProvider>,
    );
    expect(html).toContain("<i>wait</i>");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(syncline.debug().subscriptions).toHaveLength(0);
    expect(sockets).toBe(0);
  });

  it("lets a streaming render finish at once with useSuspenseQuery's fallback, reporting a ClientOnlyError", async () => {
    const syncline = newCountingClient();
    function Sum() {
      return <p>{useSuspenseQuery(api.myFunctions.sum, { a: 1, b: 2 })}</p>;
    }
    const errors: unknown[] = [];
    const html = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const sink = new PassThrough();
      sink.on("data", (chunk: Buffer) => chunks.push(chunk));
      sink.on("end", () => resolve(Buffer.concat(chunks).toString()));
      const stream = renderToPipeableStream(
        <SynclineProvider client={syncline}>
          <Suspense fallback={<i>wait</i>}>
            <Sum />
          </Suspense>
        </SynclineProvider>,
        { onAllReady: () => stream.pipe(sink), onShellError: reject, onError: (error) => void errors.push(error) },
      );
      setTimeout(() => reject(new Error("the stream did not finish within 2 s")), 2_000).unref();
    });
    expect(html).toContain("<i>wait</i>");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ClientOnlyError);
    expect(sockets).toBe(0);
  });

  it("renders the auth gates as loading without a token fetch", async () => {
    const syncline = newCountingClient();
    let fetches = 0;
    const useAuth = () => ({
      isLoading: false,
      isAuthenticated: true,
      fetchAccessToken: async () => {
        fetches++;
        return null;
      },
    });
    const html = renderToString(
      <SynclineProviderWithAuth client={syncline} useAuth={useAuth}>
        <AuthLoading>gate:loading</AuthLoading>
        <Authenticated>gate:in</Authenticated>
        <Unauthenticated>gate:out</Unauthenticated>
      </SynclineProviderWithAuth>,
    );
    expect(html).toBe("gate:loading");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetches).toBe(0);
    expect(sockets).toBe(0);
  });
});
