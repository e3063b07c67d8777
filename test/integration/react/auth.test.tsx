// @vitest-environment happy-dom
// Auth in React against the real server with real tokens: sign-in, refresh without a flash,
// forced refresh after a rejection, giving up, sign-out, tab return.

import { act, cleanup, render, screen } from "@testing-library/react";
import { useSyncExternalStore, type ReactNode } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SynclineClient, makeFunctionReference } from "syncline";
import {
  Authenticated,
  AuthLoading,
  preloadQuery,
  SynclineProviderWithAuth,
  Unauthenticated,
  usePreloadedQuery,
  useQuery,
  useSynclineAuth,
  type AuthAdapter,
} from "syncline/react";
import { startServer, type RunningServer } from "syncline/server";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../../helpers/tokens.js";
import { eventually } from "./support.js";
import { testDatabase } from "../../helpers/test-database.js";

const ISSUER = "https://auth.syncline.test";
let key: SigningKey;
let forger: SigningKey;
let project: TempProject;
let server: RunningServer;
let client: SynclineClient;
const whoami = makeFunctionReference<"query", Record<string, never>, { subject: string } | null>("query", "users:whoami");

beforeAll(async () => {
  [key, forger] = await Promise.all([signingKey("RS256", "k1"), signingKey("RS256", "k1")]);
  project = tempProject({
    "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" }] })};`,
    "users.ts": `import { query } from "syncline/server"; export const whoami = query(async (ctx) => ctx.auth.getUserIdentity());`,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
});
afterAll(async () => {
  await server.close();
  project.remove();
});
afterEach(async () => {
  cleanup();
  await client?.close();
});

/** A stand-in for an auth library: tests flip its state; it mints tokens on demand. */
class FakeAuthLibrary {
  state = { isLoading: true, isAuthenticated: false };
  fetches: boolean[] = [];
  signer: () => SigningKey = () => key;
  expiresIn = 3600;
  readonly #listeners = new Set<() => void>();
  set(state: Partial<FakeAuthLibrary["state"]>) {
    this.state = { ...this.state, ...state };
    for (const listener of this.#listeners) listener();
  }
  useAuth = (): AuthAdapter => {
    const state = useSyncExternalStore(
      (listener) => (this.#listeners.add(listener), () => this.#listeners.delete(listener)),
      () => this.state,
    );
    return {
      ...state,
      fetchAccessToken: async ({ forceRefreshToken }) => {
        this.fetches.push(forceRefreshToken);
        return mint(this.signer(), { sub: "ada", iss: ISSUER, jti: crypto.randomUUID() }, { expiresIn: this.expiresIn });
      },
    };
  };
}

function App({ seen }: { seen: string[] }) {
  const auth = useSynclineAuth();
  seen.push(auth.isLoading ? "loading" : auth.isAuthenticated ? "in" : "out");
  return (
    <>
      <AuthLoading><p data-testid="state">loading</p></AuthLoading>
      <Unauthenticated><p data-testid="state">signed out</p></Unauthenticated>
      <Authenticated><Who /></Authenticated>
    </>
  );
}
function Who() {
  const me = useQuery(whoami);
  return <p data-testid="state">{me === undefined ? "..." : `hello ${me?.subject ?? "nobody"}`}</p>;
}

function mount(library: FakeAuthLibrary, seen: string[], leeway?: number, ui: ReactNode = <App seen={seen} />) {
  client = new SynclineClient(server.url, {
    WebSocket: WebSocket as never,
    logger: false,
    unsavedChangesWarning: false,
    ...(leeway !== undefined ? { authRefreshLeewaySeconds: leeway } : {}),
  });
  render(
    <SynclineProviderWithAuth client={client} useAuth={library.useAuth}>{ui}</SynclineProviderWithAuth>,
  );
}
const text = () => screen.getByTestId("state").textContent;

describe("SynclineProviderWithAuth", () => {
  it("signs in (loading -> authenticated, queries see the user) and out", async () => {
    const library = new FakeAuthLibrary();
    const seen: string[] = [];
    mount(library, seen);
    expect(text()).toBe("loading");
    act(() => library.set({ isLoading: false, isAuthenticated: false }));
    expect(text()).toBe("signed out");
    act(() => library.set({ isAuthenticated: true }));
    await eventually(() => expect(text()).toBe("hello ada"));
    act(() => library.set({ isAuthenticated: false }));
    await eventually(() => expect(text()).toBe("signed out"));
  });

  it("refreshes a token before it expires without a flash or a re-run", async () => {
    const library = new FakeAuthLibrary();
    library.set({ isLoading: false, isAuthenticated: true });
    library.expiresIn = 12; // with a 10 s leeway the client refreshes after about 2 s
    const seen: string[] = [];
    mount(library, seen, 10);
    await eventually(() => expect(text()).toBe("hello ada"));
    const executions = server.runtime.executionCount("users:whoami");
    const firstIn = seen.indexOf("in");
    await eventually(() => expect(library.fetches.length).toBeGreaterThanOrEqual(2), 8000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(text()).toBe("hello ada");
    expect(seen.slice(firstIn).every((state) => state === "in")).toBe(true);
    expect(server.runtime.executionCount("users:whoami")).toBe(executions);
  });

  it("a tab return that makes the library reload briefly changes nothing", async () => {
    const library = new FakeAuthLibrary();
    library.set({ isLoading: false, isAuthenticated: true });
    const seen: string[] = [];
    mount(library, seen);
    await eventually(() => expect(text()).toBe("hello ada"));
    const firstIn = seen.indexOf("in");
    act(() => library.set({ isLoading: true }));
    act(() => library.set({ isLoading: false }));
    expect(seen.slice(firstIn).every((state) => state === "in")).toBe(true);
  });

  it("a rejected token is replaced once with a force-refreshed one", async () => {
    const library = new FakeAuthLibrary();
    let calls = 0;
    library.signer = () => (calls++ === 0 ? forger : key);
    library.set({ isLoading: false, isAuthenticated: true });
    mount(library, []);
    await eventually(() => expect(text()).toBe("hello ada"));
    expect(library.fetches).toEqual([false, true]);
  });

  it("gives up after two rejected fresh tokens and goes on unauthenticated", async () => {
    const library = new FakeAuthLibrary();
    library.signer = () => forger;
    library.set({ isLoading: false, isAuthenticated: true });
    mount(library, []);
    await eventually(() => expect(text()).toBe("signed out"), 15_000);
    expect(library.fetches.filter((forced) => forced).length).toBe(2);
  });

  it("a query preloaded with the user's token shows at once and goes live with no flash while auth confirms", async () => {
    const token = await mint(key, { sub: "ada", iss: ISSUER, jti: crypto.randomUUID() });
    const preloaded = await preloadQuery(whoami, {}, { url: server.url, token });
    const library = new FakeAuthLibrary();
    library.set({ isLoading: false, isAuthenticated: true });
    const seen: string[] = [];
    function Page() {
      const me = usePreloadedQuery(preloaded);
      seen.push(me?.subject ?? "nobody");
      return <p data-testid="state">{me?.subject}</p>;
    }
    mount(library, [], undefined, <Page />);
    expect(seen[0]).toBe("ada");
    await eventually(() => expect(client.debug().subscriptions.some((s) => s.hasResult)).toBe(true));
    expect(seen.every((subject) => subject === "ada")).toBe(true);
  });
});
