// `syncline run <name> [json args]`: runs any function, internal ones too (the CLI is trusted).
// With a dev server running it calls that server (so live queries see the write); otherwise it
// opens the project's database itself.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { decodeValue, encodeValue } from "../values/encoding.js";
import { parseCliArgs } from "./cli-json.js";
import type { JSONValue, Value } from "../values/value.js";
import { ADMIN_SCHEME, readAdminKey } from "../server/http/admin.js";
import { toCleanJson } from "../server/http/clean-json.js";
import { startServer } from "../server/start-server.js";
import type { Outcome } from "../server/runtime/outcome.js";

export interface RunOptions {
  dir: string;
  name: string;
  argsJson: string;
  db?: string;
}

/** Runs the function, prints its result (or error); resolves to the exit code. */
export async function runFunction(options: RunOptions): Promise<number> {
  let args: Value;
  try {
    args = parseCliArgs(options.argsJson);
  } catch (error) {
    console.error(`Arguments must be a JSON object (write an int64 as 5n): ${(error as Error).message}`);
    return 2;
  }
  const outcome = (await viaDevServer(options, args)) ?? (await locally(options, args));
  for (const line of outcome.logLines) console.log(line);
  if (!outcome.ok) {
    console.error(outcome.message);
    if (outcome.message.includes("expected int64")) console.error(`An int64 argument is written with an n, as in '{"count": 5n}'.`);
    if (outcome.errorData !== undefined) console.error(JSON.stringify(toCleanJson(outcome.errorData), null, 2));
    return 1;
  }
  console.log(JSON.stringify(toCleanJson(outcome.value), null, 2));
  return 0;
}

async function viaDevServer(options: RunOptions, args: Value): Promise<Outcome | undefined> {
  const stateDir = join(dirname(options.dir), ".syncline");
  const key = readAdminKey(join(stateDir, "admin-key"));
  const urlFile = join(stateDir, "dev-url");
  if (key === undefined || !existsSync(urlFile) || options.db !== undefined) return undefined;
  let response: Response;
  try {
    response = await fetch(`${readFileSync(urlFile, "utf8").trim()}/api/function`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `${ADMIN_SCHEME} ${key}` },
      body: JSON.stringify({ path: options.name, format: "convex_encoded_json", args: encodeValue(args) }),
    });
  } catch {
    return undefined; // no server listening: run locally
  }
  const body = (await response.json()) as Record<string, JSONValue>;
  if (!response.ok) return { ok: false, message: String(body.message ?? response.statusText), logLines: [] };
  const logLines = (body.logLines ?? []) as string[];
  if (body.status === "success") return { ok: true, value: decodeValue(body.value ?? null), logLines };
  return {
    ok: false,
    message: String(body.errorMessage),
    ...(body.errorData !== undefined ? { errorData: decodeValue(body.errorData) } : {}),
    logLines,
  };
}

async function locally(options: RunOptions, args: Value): Promise<Outcome> {
  // No background work in a one-off run: jobs it schedules wait for the next server.
  const server = await startServer({ dir: options.dir, port: 0, sitePort: 0, runJobs: false, ...(options.db ? { db: options.db } : {}) });
  try {
    const runtime = server.runtime;
    const kind = runtime.kindOf(options.name, "server");
    const caller = { origin: "server" as const, identity: null };
    if (kind === undefined) return runtime.notFound(options.name, "server");
    if (kind === "query") return await runtime.query(options.name, args, caller);
    if (kind === "mutation") return await runtime.mutation(options.name, args, caller);
    return await runtime.action(options.name, args, caller);
  } finally {
    await server.close();
  }
}
