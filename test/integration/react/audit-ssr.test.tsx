// @vitest-environment node
// Audit: server-side rendering with useSuspenseQuery. renderToString cannot wait for a suspended
// component (it always sends the fallback), yet hooks/use-query.ts firstResult() subscribes the
// query while rendering: the server process opens a WebSocket and keeps the subscription (10 s
// after its first result). Every other hook renders on the server without a socket
// (audit-ssr-coverage.test.tsx).

import { renderToString } from "react-dom/server";
import { Suspense } from "react";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient } from "syncline";
import { SynclineProvider, useSuspenseQuery } from "syncline/react";
import type { RunningServer } from "syncline/server";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { startTestServer } from "../../helpers/server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it("renderToString with useSuspenseQuery sends the fallback without opening a socket or subscribing", async () => {
  let sockets = 0;
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets++;
    }
  }
  const client = new SynclineClient(server.url, { WebSocket: CountingWebSocket as never, logger: false, unsavedChangesWarning: false });
  try {
    function Sum() {
      return <p>{useSuspenseQuery(api.myFunctions.sum, { a: 1, b: 2 })}</p>;
    }
    const html = renderToString(
      <SynclineProvider client={client}>
        <Suspense fallback={<i>wait</i>}>
          <Sum />
        </Suspense>
      </SynclineProvider>,
    );
    expect(html).toContain("<i>wait</i>");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.debug().subscriptions).toHaveLength(0);
    expect(sockets).toBe(0);
  } finally {
    await client.close();
  }
});
