// DEV ONLY: a stand-in for an auth library (Clerk, Auth0, ...), backed by the playground's own
// token issuer. It has the shape SynclineProviderWithAuth adapts: { isLoading, isAuthenticated,
// fetchAccessToken }.

import { useSyncExternalStore } from "react";
import type { AuthAdapter } from "syncline/react";

const STORAGE_KEY = "syncline-playground-dev-user";
const listeners = new Set<() => void>();
let user: string | null = localStorage.getItem(STORAGE_KEY);

/** Token lifetime: short, so the client's refresh before expiry is visible in the devtools. */
const TOKEN_LIFETIME_SECONDS = Number(new URLSearchParams(location.search).get("tokenLifetime") ?? 60);

export function siteUrl(): string {
  return new URLSearchParams(location.search).get("site") ?? import.meta.env.VITE_SYNCLINE_SITE_URL ?? "http://127.0.0.1:3211";
}

export function signIn(name: string): void {
  user = name;
  localStorage.setItem(STORAGE_KEY, name);
  listeners.forEach((listener) => listener());
}

export function signOut(): void {
  user = null;
  localStorage.removeItem(STORAGE_KEY);
  listeners.forEach((listener) => listener());
}

async function fetchAccessToken(): Promise<string | null> {
  if (user === null) return null;
  const response = await fetch(`${siteUrl()}/dev-only/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: user, lifetimeSeconds: TOKEN_LIFETIME_SECONDS }),
  });
  if (!response.ok) throw new Error(`The dev token issuer answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** The auth hook SynclineProviderWithAuth takes. */
export function useDevAuth(): AuthAdapter {
  const current = useSyncExternalStore(
    (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    () => user,
  );
  return { isLoading: false, isAuthenticated: current !== null, fetchAccessToken };
}
