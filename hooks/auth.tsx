// Authentication in React: adapt any auth library's hook, expose `useSynclineAuth`, and gate UI
// with <Authenticated>, <Unauthenticated> and <AuthLoading>.
//
// The rule that keeps the UI calm: "authenticated" becomes true only when the server confirmed
// a token, and goes false only when the auth library signs out or the server refuses every fresh
// token. Routine refreshes, tab returns and reconnects change nothing a component can see.

import { createContext, useContext, useDebugValue, useEffect, useRef, useState, type ReactNode } from "react";
import type { SynclineClient } from "../src/client/client.js";
import { SynclineProvider } from "./context.js";

/** What an auth library's hook must return to drive Syncline. */
export interface AuthAdapter {
  isLoading: boolean;
  isAuthenticated: boolean;
  /** A JWT for the user (null when there is none); with `forceRefreshToken`, never a cached one. */
  fetchAccessToken(args: { forceRefreshToken: boolean }): Promise<string | null | undefined>;
}

/** What `useSynclineAuth` returns. */
export interface SynclineAuthState {
  /** The auth library is loading, or Syncline waits for the server to confirm the token. */
  isLoading: boolean;
  /** The server confirmed the user's token. */
  isAuthenticated: boolean;
}

const AuthContext = createContext<SynclineAuthState | undefined>(undefined);
AuthContext.displayName = "SynclineAuth";

/**
 * A `SynclineProvider` that authenticates the client with tokens from `useAuth` (a hook of your
 * auth library, adapted to `{ isLoading, isAuthenticated, fetchAccessToken }`).
 *
 * @example
 * <SynclineProviderWithAuth client={client} useAuth={useAuthFromMyProvider}><App /></SynclineProviderWithAuth>
 */
export function SynclineProviderWithAuth({
  client,
  useAuth,
  children,
}: {
  client: SynclineClient;
  useAuth: () => AuthAdapter;
  children?: ReactNode;
}) {
  const auth = useAuth();
  // The library may hand out a new function every render; the client keeps calling the latest.
  const fetchToken = useRef(auth.fetchAccessToken);
  fetchToken.current = auth.fetchAccessToken;
  const [confirmed, setConfirmed] = useState<boolean | undefined>(undefined);
  // While the library is (re)loading - it often is briefly when a tab comes back - keep its last
  // answer instead of dropping the session.
  const lastAnswer = useRef<boolean | undefined>(undefined);
  if (!auth.isLoading) lastAnswer.current = auth.isAuthenticated;
  const wantsAuth = lastAnswer.current === true;

  useEffect(() => {
    if (!wantsAuth) return;
    let active = true;
    setConfirmed(undefined);
    client.setAuth(
      (args) => fetchToken.current(args),
      (isAuthenticated) => {
        if (active) setConfirmed(isAuthenticated);
      },
    );
    return () => {
      active = false;
      client.clearAuth();
      setConfirmed(undefined);
    };
  }, [client, wantsAuth]);

  const state: SynclineAuthState = {
    isLoading: lastAnswer.current === undefined || (wantsAuth && confirmed === undefined),
    isAuthenticated: wantsAuth && confirmed === true,
  };
  return (
    <SynclineProvider client={client}>
      <AuthContext.Provider value={state}>{children}</AuthContext.Provider>
    </SynclineProvider>
  );
}

/**
 * Whether the current user is signed in as far as the server is concerned.
 *
 * @example
 * const { isLoading, isAuthenticated } = useSynclineAuth();
 */
export function useSynclineAuth(): SynclineAuthState {
  const state = useContext(AuthContext);
  if (state === undefined) throw new Error("useSynclineAuth needs a <SynclineProviderWithAuth> above it.");
  useDebugValue(state.isLoading ? "loading" : state.isAuthenticated ? "authenticated" : "unauthenticated");
  return state;
}

/** Renders its children only when the server confirmed the user's token. */
export function Authenticated({ children }: { children?: ReactNode }) {
  const { isLoading, isAuthenticated } = useSynclineAuth();
  return !isLoading && isAuthenticated ? <>{children}</> : null;
}

/** Renders its children only when nobody is signed in (after loading). */
export function Unauthenticated({ children }: { children?: ReactNode }) {
  const { isLoading, isAuthenticated } = useSynclineAuth();
  return !isLoading && !isAuthenticated ? <>{children}</> : null;
}

/** Renders its children while the auth state is not known yet. */
export function AuthLoading({ children }: { children?: ReactNode }) {
  return useSynclineAuth().isLoading ? <>{children}</> : null;
}
