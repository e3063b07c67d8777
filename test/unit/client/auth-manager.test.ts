import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthManager, type AuthHost } from "../../../src/client/auth-manager.js";
import { ClientLog } from "../../../src/client/client-log.js";

function host() {
  const events: string[] = [];
  const h: AuthHost = {
    hold: () => events.push("hold"),
    release: () => events.push("release"),
    useToken: (token) => events.push(`token:${token ?? "none"}`),
    restartSocket: (reason) => events.push(`restart:${reason}`),
  };
  return { events, host: h };
}

const log = new ClientLog(false, false);
const authError = (authUpdateAttempted = true) => ({ type: "AuthError", error: "rejected", baseVersion: 0, authUpdateAttempted }) as const;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function jwt(lifetimeSeconds: number, now: number): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const iat = Math.floor(now / 1000);
  return `${b64({})}.${b64({ iat, exp: iat + lifetimeSeconds })}.sig`;
}

describe("AuthManager", () => {
  it("holds the client until the first token, presents it, reports once confirmed", async () => {
    const { events, host: h } = host();
    const changes: boolean[] = [];
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    auth.configure(async () => "cached", (ok) => changes.push(ok));
    expect(auth.state).toBe("fetching");
    expect(events).toEqual(["hold"]);
    await flush();
    expect(events).toEqual(["hold", "token:cached", "release"]);
    expect(auth.state).toBe("waiting");
    auth.onConfirmed();
    auth.onConfirmed();
    expect(auth.state).toBe("confirmed");
    expect(changes).toEqual([true]);
  });

  it("on a rejection fetches with forceRefreshToken and presents the fresh token on a new socket", async () => {
    const { events, host: h } = host();
    const calls: boolean[] = [];
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    auth.configure(async ({ forceRefreshToken }) => {
      calls.push(forceRefreshToken);
      return forceRefreshToken ? "fresh" : "cached";
    });
    await flush();
    events.length = 0;
    auth.onAuthError(authError());
    expect(events).toEqual(["hold", "restart:AuthError"]);
    await flush();
    expect(events).toEqual(["hold", "restart:AuthError", "token:fresh", "release"]);
    expect(calls).toEqual([false, true]);
  });

  it("gives up after two rejected fresh tokens in a row, reporting unauthenticated", async () => {
    const { events, host: h } = host();
    const changes: boolean[] = [];
    let n = 0;
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    auth.configure(async () => `token-${n++}`, (ok) => changes.push(ok));
    await flush();
    auth.onAuthError(authError()); // the cached token
    await flush();
    auth.onAuthError(authError()); // fresh #1
    await flush();
    events.length = 0;
    auth.onAuthError(authError()); // fresh #2: give up
    expect(events).toEqual(["token:none", "restart:AuthError"]);
    expect(auth.state).toBe("none");
    expect(changes).toEqual([false]);
    expect(n).toBe(3);
  });

  it("gives up when the forced refresh returns no token or the same token", async () => {
    for (const second of [null, "same"]) {
      const { host: h } = host();
      const changes: boolean[] = [];
      const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
      let first = true;
      auth.configure(
        async () => {
          const token = first ? "same" : second;
          first = false;
          return token;
        },
        (ok) => changes.push(ok),
      );
      await flush();
      auth.onAuthError(authError());
      await flush();
      expect(auth.state).toBe("none");
      expect(changes).toEqual([false]);
    }
  });

  it("ignores an AuthError about an expired token while a new token waits for confirmation", async () => {
    const { events, host: h } = host();
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    auth.configure(async () => "t");
    await flush();
    events.length = 0;
    auth.onAuthError(authError(false));
    expect(events).toEqual([]);
  });

  it("drops the answer of a fetch that a later configure or clear overtook", async () => {
    const { events, host: h } = host();
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    let release!: (token: string) => void;
    auth.configure(() => new Promise((resolve) => (release = resolve)));
    auth.clear();
    release("late");
    await flush();
    expect(events).toEqual(["hold", "token:none", "release"]);
    expect(auth.state).toBe("none");
  });

  it("treats a throwing fetchToken as no token", async () => {
    const { host: h } = host();
    const changes: boolean[] = [];
    const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
    auth.configure(async () => {
      throw new Error("offline");
    }, (ok) => changes.push(ok));
    await flush();
    expect(changes).toEqual([false]);
  });

  describe("refresh", () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("refreshes a confirmed JWT leeway seconds before exp - iat", async () => {
      const now = Date.now();
      const { events, host: h } = host();
      const calls: boolean[] = [];
      const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log, now: () => now });
      auth.configure(async ({ forceRefreshToken }) => {
        calls.push(forceRefreshToken);
        return jwt(60, now) + (forceRefreshToken ? "-fresh" : "");
      });
      await vi.advanceTimersByTimeAsync(0);
      auth.onConfirmed();
      events.length = 0;
      await vi.advanceTimersByTimeAsync(49_000);
      expect(calls).toEqual([false]);
      await vi.advanceTimersByTimeAsync(1_500);
      expect(calls).toEqual([false, true]);
      expect(events).toEqual([`token:${jwt(60, now)}-fresh`]);
      expect(auth.state).toBe("waiting");
    });

    it("does not schedule a refresh for a token that is not a JWT", async () => {
      const { host: h } = host();
      let calls = 0;
      const auth = new AuthManager(h, { refreshLeewaySeconds: 10, log });
      auth.configure(async () => {
        calls++;
        return "opaque";
      });
      await vi.advanceTimersByTimeAsync(0);
      auth.onConfirmed();
      await vi.advanceTimersByTimeAsync(10 * 24 * 3600 * 1000);
      expect(calls).toBe(1);
    });
  });
});
