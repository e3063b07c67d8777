// A call of a function that does not exist names the closest ones that do: public ones only for
// a client (a suggestion must never reveal that an internal function exists), every function for
// trusted callers (the CLI), and none at all in production. Exact texts: they are what users read.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { call, post, recordingLogger } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { runCli, startDev } from "../helpers/cli-process.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const MESSAGES = `import { query, mutation, internalQuery, internalMutation } from "syncline/server";
export const list = query(() => []);
export const send = mutation(() => null);
export const lists = internalQuery(() => []);
export const purge = internalMutation(() => null);`;

const messagesProject = () => tempProject({ "messages.ts": MESSAGES }, cleanups);

describe("a client calling a missing function", () => {
  it("is told the closest public function", async () => {
    const server = await startServer({ dir: messagesProject().dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    expect((await call(server.url, "query", "messages:lst")).body.errorMessage).toBe(
      "Could not find public function for 'messages:lst'. Did you mean messages:list?",
    );
    // `lisst` is one edit from the internal `lists` and from the public `list`: only `list` may be named.
    expect((await call(server.url, "query", "messages:lisst")).body.errorMessage).toBe(
      "Could not find public function for 'messages:lisst'. Did you mean messages:list?",
    );
    // Close to an internal function only: no suggestion.
    expect((await call(server.url, "mutation", "messages:purg")).body.errorMessage).toBe("Could not find public function for 'messages:purg'.");
    // An internal function's own name gets exactly what it would get if it did not exist.
    const publicOnly = await startServer({
      dir: tempProject({ "messages.ts": MESSAGES.replace(/export const (lists|purge) = .*\n?/g, "") }, cleanups).dir,
      port: 0,
      db: testDatabase(),
    });
    cleanups.push(() => publicOnly.close());
    for (const name of ["messages:lists", "messages:purge", "messages:purg", "messages:lisst"]) {
      const withInternal = (await call(server.url, "mutation", name)).body.errorMessage;
      expect(withInternal, name).toBe((await call(publicOnly.url, "mutation", name)).body.errorMessage);
    }
    expect((await call(server.url, "query", "messages:lists")).body.errorMessage).toBe(
      "Could not find public function for 'messages:lists'. Did you mean messages:list?",
    );
    // The api object's spelling is a slip of notation.
    expect((await call(server.url, "mutation", "messages.send")).body.errorMessage).toBe(
      "Could not find public function for 'messages.send:default'. Did you mean messages:send?",
    );
  });

  it("is told nothing more in production, and neither is the server's log", async () => {
    const { logger, lines } = recordingLogger();
    const server = await startServer({ dir: messagesProject().dir, port: 0, db: testDatabase(), prod: true, logger });
    cleanups.push(() => server.close());
    expect((await call(server.url, "query", "messages:lst")).body.errorMessage).toBe("Server Error");
    expect(lines).toEqual(["query messages:lst [ERROR] Could not find public function for 'messages:lst'."]);
  });

  it("from a syncline dev server: suggested, and not with --prod", async () => {
    const p = messagesProject();
    const dev = await startDev(p.dir, ["--db", ":memory:"], cleanups);
    expect((await call(dev.url, "query", "messages:lst")).body.errorMessage).toBe(
      "Could not find public function for 'messages:lst'. Did you mean messages:list?",
    );
    expect(dev.output).toContain("[Q(messages:lst)] [ERROR] Could not find public function for 'messages:lst'. Did you mean messages:list?");

    const prod = await startDev(p.dir, ["--db", ":memory:", "--prod"], cleanups);
    expect((await call(prod.url, "query", "messages:lst")).body.errorMessage).toBe("Server Error");
    await expect.poll(() => prod.output).toContain("[Q(messages:lst)] [ERROR] Could not find public function for 'messages:lst'.");
  });
});

describe("trusted callers (syncline run)", () => {
  it("are told the closest function, internal ones included", async () => {
    const p = messagesProject();
    const db = join(p.root, "run.sqlite");
    const typo = await runCli(["run", "messages:purg", "--dir", p.dir, "--db", db]);
    expect([typo.code, typo.stderr.trim()]).toEqual([1, "Could not find function for 'messages:purg'. Did you mean messages:purge?"]);
  });

  it("understand that messages.send means messages:send, locally and through a dev server", async () => {
    const p = messagesProject();
    const expected = "Could not find function for 'messages.send:default'. Did you mean messages:send?";
    const local = await runCli(["run", "messages.send", "--dir", p.dir, "--db", join(p.root, "run.sqlite")]);
    expect([local.code, local.stderr.trim()]).toEqual([1, expected]);
    const nested = await runCli(["run", "api.messages.lst", "--dir", p.dir, "--db", join(p.root, "run.sqlite")]);
    expect(nested.stderr.trim()).toBe("Could not find function for 'api.messages.lst:default'. Did you mean messages:list?");

    await startDev(p.dir, ["--db", ":memory:"], cleanups);
    const viaDev = await runCli(["run", "messages.send", "--dir", p.dir]);
    expect([viaDev.code, viaDev.stderr.trim()]).toEqual([1, expected]);
  });

  it("an admin call over HTTP gets the same suggestion", async () => {
    const server = await startServer({ dir: messagesProject().dir, port: 0, db: testDatabase(), adminKey: "k" });
    cleanups.push(() => server.close());
    const answer = await post(server.url, "/api/function", { path: "messages:purg", format: "convex_encoded_json", args: {} }, { Authorization: "Syncline-Admin k" });
    expect(answer.body.errorMessage).toBe("Could not find function for 'messages:purg'. Did you mean messages:purge?");
  });
});
