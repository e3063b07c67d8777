// The pieces of `syncline dev --run` that need no process: the name a command's lines are
// prefixed with, the prefixing of the server's own lines, and the words for how a command ended.

import { describe, expect, it } from "vitest";
import { commandName, describeExit, exitCodeOf, prefixLines } from "../../../src/cli/companion.js";

describe("commandName", () => {
  it("is the program's name, past package runners, node, flags, paths, extensions and assignments", () => {
    expect(commandName("vite")).toBe("vite");
    expect(commandName("npx vite --port 5000")).toBe("vite");
    expect(commandName("npm run web")).toBe("web");
    expect(commandName("pnpm exec astro dev")).toBe("astro");
    expect(commandName("node --watch server.js")).toBe("server");
    expect(commandName("tsx watch --clear-screen=false src/client.ts")).toBe("tsx");
    expect(commandName("PORT=5000 ./node_modules/.bin/vite")).toBe("vite");
    expect(commandName("  ")).toBe("command");
  });
});

describe("prefixLines", () => {
  it("prefixes every line of a write, a bare prefix for an empty line, and keeps isTTY", () => {
    const written: string[] = [];
    const stream = prefixLines({ isTTY: true, write: (text: string) => written.push(text) }, "[syncline]");
    stream.write("Build failed:\n\na.ts:1:1 boom\n");
    stream.write("no newline");
    expect(written).toEqual(["[syncline] Build failed:\n[syncline]\n[syncline] a.ts:1:1 boom\n", "[syncline] no newline"]);
    expect(stream.isTTY).toBe(true);
  });
});

describe("describeExit and exitCodeOf", () => {
  it("say the code, the signal, a code by which a shell reports a signal, and the shell's not-found", () => {
    expect(describeExit("vite", { code: 1, signal: null })).toBe("vite exited with code 1");
    expect(describeExit("vite", { code: 0, signal: null })).toBe("vite exited with code 0");
    expect(describeExit("vite", { code: null, signal: "SIGKILL" })).toBe("vite was ended by SIGKILL");
    expect(describeExit("web", { code: 130, signal: null })).toBe("web exited with code 130 (a process it ran was ended by SIGINT)");
    expect(describeExit("vitee", { code: 127, signal: null })).toBe("vitee exited with code 127 (the shell did not find the command)");
    expect(exitCodeOf({ code: 3, signal: null })).toBe(3);
    expect(exitCodeOf({ code: null, signal: "SIGTERM" })).toBe(143);
  });
});
