// JSON log lines (`syncline serve` off a terminal): one object per line, time/level/msg first,
// fields as keys that never replace those three, function lines with their function and level.

import { afterEach, describe, expect, it } from "vitest";
import { jsonLogger } from "../../../src/server/logger.js";

function capture() {
  const written: string[] = [];
  return { logger: jsonLogger({ write: (text: string) => written.push(text) }), written, lines: () => written.map((text) => JSON.parse(text) as Record<string, unknown>) };
}

describe("jsonLogger", () => {
  afterEach(() => {
    delete process.env.SYNCLINE_DEBUG;
  });

  it("writes one object per line: time, level and msg first, then the fields", () => {
    const { logger, written, lines } = capture();
    logger.info("Syncline serving", { url: "http://127.0.0.1:3210", functions: 3 });
    logger.error("Build failed:\nsyncline/a.ts:1:1: Expected \";\"");
    expect(written.every((text) => text.endsWith("\n") && text.indexOf("\n") === text.length - 1)).toBe(true);
    const [serving, failed] = lines();
    expect(Object.keys(serving!)).toEqual(["time", "level", "msg", "url", "functions"]);
    expect(serving).toMatchObject({ level: "info", msg: "Syncline serving", url: "http://127.0.0.1:3210", functions: 3 });
    expect(new Date(serving!.time as string).toISOString()).toBe(serving!.time);
    // A message of several lines (a stack, a build error) stays one object.
    expect(failed).toMatchObject({ level: "error", msg: 'Build failed:\nsyncline/a.ts:1:1: Expected ";"' });
  });

  it("never lets a field replace time, level or msg", () => {
    const { logger, lines } = capture();
    logger.warn("the real message", { msg: "forged", level: "info", time: "yesterday", other: true });
    expect(lines()[0]).toMatchObject({ level: "warn", msg: "the real message", other: true });
    expect(lines()[0]!.time).not.toBe("yesterday");
  });

  it("gives a function's line the function, its kind and the level of its prefix", () => {
    const { logger, lines } = capture();
    logger.functionLine("mutation", "messages:send", "[LOG] 'hi' 42");
    logger.functionLine("query", "messages:list", "[WARN] slow");
    logger.functionLine("httpAction", "POST /hook", "[ERROR] Uncaught Error: boom");
    logger.functionLine("action", "jobs:run", "no prefix");
    expect(lines()).toEqual([
      expect.objectContaining({ level: "info", msg: "'hi' 42", kind: "mutation", function: "messages:send" }),
      expect.objectContaining({ level: "warn", msg: "slow", kind: "query", function: "messages:list" }),
      expect.objectContaining({ level: "error", msg: "Uncaught Error: boom", kind: "httpAction", function: "POST /hook" }),
      expect.objectContaining({ level: "info", msg: "no prefix", kind: "action", function: "jobs:run" }),
    ]);
  });

  it("writes debug lines only with SYNCLINE_DEBUG, as the console logger does", () => {
    const { logger, lines } = capture();
    logger.debug!("client went away");
    expect(lines()).toEqual([]);
    process.env.SYNCLINE_DEBUG = "1";
    logger.debug!("client went away");
    expect(lines()).toEqual([expect.objectContaining({ level: "debug", msg: "client went away" })]);
  });
});
