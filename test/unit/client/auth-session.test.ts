import { describe, expect, it } from "vitest";
import { AuthSession } from "../../../src/client/auth-session.js";
import type { Transition } from "../../../src/protocol/messages.js";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";

const transition = (startIdentity: number, endIdentity: number): Transition => ({
  type: "Transition",
  startVersion: { querySet: 1, identity: startIdentity, ts: encodeTimestamp(1n) },
  endVersion: { querySet: 1, identity: endIdentity, ts: encodeTimestamp(2n) },
  modifications: [],
});

describe("AuthSession", () => {
  it("sends a token once per change, advancing the identity version", () => {
    const auth = new AuthSession();
    expect(auth.take()).toBeNull();
    auth.set("t1");
    expect(auth.take()).toEqual({ type: "Authenticate", tokenType: "User", value: "t1", baseVersion: 0 });
    expect(auth.take()).toBeNull();
    auth.set("t2");
    expect(auth.take()).toMatchObject({ value: "t2", baseVersion: 1 });
    auth.clear();
    expect(auth.take()).toEqual({ type: "Authenticate", tokenType: "None", baseVersion: 2 });
    expect(auth.version).toBe(3);
  });

  it("does not tell the server about clearing a token it never had", () => {
    const auth = new AuthSession();
    auth.set("t");
    auth.clear();
    expect(auth.take()).toBeNull();
  });

  it("restarts at identity 0 and resends the token on a new socket (§6)", () => {
    const auth = new AuthSession();
    auth.set("t");
    auth.take();
    auth.restart();
    expect(auth.version).toBe(0);
    expect(auth.take()).toMatchObject({ value: "t", baseVersion: 0 });
    const none = new AuthSession();
    none.restart();
    expect(none.take()).toBeNull();
  });

  it("recognises the transition that confirms the token sent last", () => {
    const auth = new AuthSession();
    auth.set("t1");
    auth.take();
    auth.set("t2");
    auth.take(); // version 2 now
    expect(auth.caughtUp).toBe(false);
    expect(auth.confirms(transition(0, 1))).toBe(false); // confirms t1, not t2
    expect(auth.confirms(transition(0, 0))).toBe(false);
    expect(auth.confirms(transition(1, 2))).toBe(true);
    expect(auth.caughtUp).toBe(true);
    expect(auth.confirms(transition(1, 2))).toBe(false); // already confirmed
  });

  it("tells current AuthErrors from ones about older tokens", () => {
    const auth = new AuthSession();
    auth.set("t1");
    auth.take();
    auth.set("t2");
    auth.take();
    const error = (baseVersion: number) => ({ type: "AuthError", error: "x", baseVersion, authUpdateAttempted: true }) as const;
    expect(auth.isCurrent(error(1))).toBe(true);
    expect(auth.isCurrent(error(0))).toBe(false);
  });
});
