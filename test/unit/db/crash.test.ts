// Durability under kill -9: every write the child saw acknowledged is there after reopening.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import { tempDir } from "./helpers.js";

const child = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));

it("never loses an acknowledged write when the process is killed with SIGKILL", async () => {
  const path = join(tempDir(), "crash.sqlite");
  const proc = spawn(process.execPath, ["--import", "tsx", child, path], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let errors = "";
  proc.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on("exit", (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      // Kill somewhere in the middle of the stream, while writes are in flight.
      if (output.split("\n").length > 1500) resolve();
    });
    proc.on("exit", () => reject(new Error(`child exited early: ${errors}`)));
  });
  proc.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");

  const lines = output.split("\n");
  lines.pop(); // a line without its newline was not fully acknowledged
  const acknowledged = lines.filter((line) => line !== "ready");
  expect(acknowledged.length).toBeGreaterThan(1000);

  const db = await openDatabase({ path });
  try {
    const { result } = await db.read(async (tx) => {
      const missing: string[] = [];
      for (const id of acknowledged) if ((await tx.db.get(id as never)) === null) missing.push(id);
      return { missing, total: (await tx.db.query("acks").collect()).length };
    });
    expect(result.missing).toEqual([]);
    expect(result.total).toBeGreaterThanOrEqual(acknowledged.length);
    // The database is usable after the crash.
    await db.write((tx) => tx.db.insert("acks", { after: true }));
  } finally {
    await db.close();
  }
});
