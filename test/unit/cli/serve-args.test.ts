// `syncline serve`'s options from flags and the environment, and the README's Deploying section
// kept true: its commands parse, and every variable of its table is read as its flag would be.

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseServeArgs } from "../../../src/cli/run-cli.js";
import { README, readmeCommands, readmeVariables } from "../../helpers/readme-examples.js";

describe("syncline serve options", () => {
  it("defaults to port 3210 on every interface, the syncline folder, no database (startServer's default)", () => {
    expect(parseServeArgs([], {})).toEqual({ dir: resolve("syncline"), port: 3210, host: "0.0.0.0" });
  });

  it("takes flags over the environment, and an empty variable as unset", () => {
    const env = { PORT: "8080", SYNCLINE_NODE_ID: "from-env", SYNCLINE_DATABASE_URL: "postgres://app@db/app" };
    expect(parseServeArgs(["--port", "9000", "--node-id", "from-flag"], env)).toMatchObject({ port: 9000, nodeId: "from-flag", db: "postgres://app@db/app" });
    expect(parseServeArgs([], { PORT: "", SYNCLINE_NODE_ID: "" })).toEqual(parseServeArgs([], {}));
  });

  it("refuses bad values naming where they came from", () => {
    expect(() => parseServeArgs([], { PORT: "eighty" })).toThrow("PORT must be a port number, got eighty");
    expect(() => parseServeArgs(["--site-port", "70000"], {})).toThrow("--site-port must be a port number, got 70000");
    expect(() => parseServeArgs(["--url", "api.example.com"], {})).toThrow("--url must be an http(s) URL");
    expect(() => parseServeArgs(["--drain-timeout=-1"], {})).toThrow("--drain-timeout must be a number of milliseconds, got -1");
    expect(() => parseServeArgs(["--node-id", " "], {})).toThrow("--node-id must not be empty");
    expect(() => parseServeArgs(["--watch"], {})).toThrow("Unknown option '--watch'");
  });
});

describe("the README's Deploying section", () => {
  it("holds syncline serve commands that parse, their variables applied", () => {
    const commands = readmeCommands(README, "serve");
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const { env, args } of commands) {
      const options = parseServeArgs(args, env);
      if (env.SYNCLINE_NODE_ID) expect(options.nodeId).toBe(env.SYNCLINE_NODE_ID);
      if (env.SYNCLINE_DATABASE_URL) expect(options.db).toBe(env.SYNCLINE_DATABASE_URL);
    }
  });

  it("lists variables each read as its flag is; the node secret is the cluster's own", () => {
    const variables = readmeVariables(README);
    expect(variables.map(({ variable }) => variable)).toContain("SYNCLINE_NODE_SECRET");
    for (const { variable, flag } of variables) {
      if (flag === undefined) continue;
      const value = flag === "--url" ? "https://api.example.com" : flag.endsWith("port") ? "4321" : "value-1";
      expect(parseServeArgs([], { [variable]: value }), variable).toEqual(parseServeArgs([flag, value], {}));
      expect(parseServeArgs([], { [variable]: value }), variable).not.toEqual(parseServeArgs([], {}));
    }
  });
});
