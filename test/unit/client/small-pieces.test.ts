// The small helpers: tokens, logging, JWT lifetimes, connection-state snapshots.

import { describe, expect, it } from "vitest";
import { ClientLog, redactToken } from "../../../src/client/client-log.js";
import { ConnectionStatePublisher } from "../../../src/client/connection-state.js";
import { tokenLifetime } from "../../../src/client/jwt.js";
import { argsOfToken, encodeArgs, queryToken } from "../../../src/client/query-token.js";
import { newSessionId } from "../../../src/client/session-id.js";
import type { ConnectionState } from "../../../src/client/types.js";

describe("query tokens", () => {
  it("are canonical JSON of name and encoded args, whatever the key order", () => {
    expect(queryToken("m:f", encodeArgs({ b: 1, a: [2n] }))).toBe(queryToken("m:f", encodeArgs({ a: [2n], b: 1 })));
    expect(queryToken("m:f", encodeArgs(undefined))).toBe('{"udfPath":"m:f","args":{}}');
    expect(argsOfToken(queryToken("m:f", encodeArgs({ x: 1 })))).toEqual({ x: 1 });
  });

  it("refuse arguments that are not plain objects", () => {
    expect(() => encodeArgs(null)).toThrow("got null");
    expect(() => encodeArgs([1])).toThrow("got an array");
    expect(() => encodeArgs(new Map())).toThrow("an instance of a class");
    expect(() => encodeArgs("x")).toThrow("got string");
  });
});

describe("ClientLog", () => {
  function capture(verbose = false) {
    const lines: [string, string][] = [];
    const at = (level: string) => (text: string) => lines.push([level, text]);
    return { lines, log: new ClientLog({ debug: at("debug"), info: at("info"), log: at("log"), warn: at("warn"), error: at("error") }, verbose) };
  }

  it("prints function log lines with the method of their level (§15)", () => {
    const { lines, log } = capture();
    log.functionLines("action", "a:b", ["[DEBUG] 1", "[INFO] 2", "[LOG] 3", "[WARN] 4", "[ERROR] 5", "[TRACE] 6"]);
    expect(lines).toEqual([
      ["debug", "[A(a:b)] [DEBUG] 1"],
      ["info", "[A(a:b)] [INFO] 2"],
      ["log", "[A(a:b)] [LOG] 3"],
      ["warn", "[A(a:b)] [WARN] 4"],
      ["error", "[A(a:b)] [ERROR] 5"],
      ["warn", "[A(a:b)] (log line in an unknown format) [TRACE] 6"],
    ]);
  });

  it("prints debug lines only when verbose, with a timestamp; logger false silences everything", () => {
    const quiet = capture();
    quiet.log.debug("hidden");
    expect(quiet.lines).toEqual([]);
    const loud = capture(true);
    loud.log.debug("shown");
    expect(loud.lines[0]![1]).toMatch(/^\d{4}-\d\d-\d\dT.*Z \[syncline\] shown$/);
    const silent = new ClientLog(false, true);
    expect(silent.verbose).toBe(false);
    silent.functionLines("query", "q", ["[LOG] x"]);
    silent.error("x");
  });

  it("redacts tokens to their last 7 characters, and a short one to nothing", () => {
    expect(redactToken("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl")).toBe("...mF0dXJl");
    expect(redactToken("s3cr3t-but-short")).toBe("...");
  });
});

describe("tokenLifetime", () => {
  it("reads iat and exp from a JWT, and nothing from anything else", () => {
    const payload = Buffer.from(JSON.stringify({ iat: 100, exp: 200, name: "Zoë" })).toString("base64url");
    expect(tokenLifetime(`h.${payload}.s`)).toEqual({ iat: 100, exp: 200 });
    expect(tokenLifetime("opaque")).toBeUndefined();
    expect(tokenLifetime("a.%%%.c")).toBeUndefined();
    expect(tokenLifetime(`h.${Buffer.from('{"iat":1}').toString("base64url")}.s`)).toBeUndefined();
  });
});

describe("session ids", () => {
  it("are UUID v4", () => {
    expect(newSessionId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newSessionId()).not.toBe(newSessionId());
  });
});

describe("ConnectionStatePublisher", () => {
  it("returns the same object until a field changes, and publishes once per microtask", async () => {
    let connected = false;
    const compute = (): ConnectionState => ({
      isConnected: connected,
      isReconnecting: false,
      hasEverConnected: connected,
      connectionCount: connected ? 1 : 0,
      retries: 0,
      inflightMutations: 0,
      inflightActions: 0,
      oldestInflightRequestAt: null,
      isClosed: false,
    });
    const publisher = new ConnectionStatePublisher(compute);
    const first = publisher.current();
    expect(publisher.current()).toBe(first);
    const seen: ConnectionState[] = [];
    publisher.subscribe((state) => seen.push(state));
    publisher.markDirty();
    await Promise.resolve();
    expect(seen).toEqual([]); // nothing changed
    connected = true;
    publisher.markDirty();
    publisher.markDirty();
    await Promise.resolve();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(publisher.current());
    expect(seen[0]!.isConnected).toBe(true);
  });
});
