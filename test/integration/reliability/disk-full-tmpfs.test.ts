// A really full disk: the server runs in a mount namespace of its own on a small tmpfs (so no
// root rights are needed and nothing outside the test sees the mount), its database beside a
// filler file. Mutations fail with the retryable message on the official client once the disk is
// full, acknowledged ones are kept, queries keep serving, and when the filler is deleted the same
// mutation succeeds with no restart. Skipped where unprivileged mount namespaces are off.

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { convexApi, convexClient } from "./support.js";

const cleanups = cleanupAfterEach();
const REPO = join(import.meta.dirname, "../../..");
const SERVER = join(import.meta.dirname, "support/tmpfs-server.ts");
const FULL = /The database .* is full .*: this mutation was not applied\. Retry it once space is freed/;
const canMountTmpfs = spawnSync("unshare", ["-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=1m tmpfs /tmp"]).status === 0;

/** Starts tmpfs-server.ts on a `sizeMb` tmpfs with a `fillerMb` filler; resolves with its URL and its commands. */
async function serverOnTmpfs(sizeMb: number, fillerMb: number) {
  const mount = mkdtempSync(join(tmpdir(), "syncline-tmpfs-"));
  const script = `mount -t tmpfs -o size=${sizeMb}m tmpfs "$0" && exec "$1" --import tsx "$2" "$0" "$3"`;
  const child = spawn("unshare", ["-rm", "sh", "-c", script, mount, process.execPath, SERVER, String(fillerMb * 1024 * 1024)], { cwd: REPO, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) child.stdin.write("stop\n");
    await exited;
    rmSync(mount, { recursive: true, force: true });
  });
  const lines: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => lines.shift()?.(JSON.parse(line) as Record<string, unknown>));
  const next = () => new Promise<Record<string, unknown>>((resolve) => lines.push(resolve));
  const { url } = (await next()) as { url: string };
  return {
    url,
    free: async () => {
      const answer = next();
      child.stdin.write("free\n");
      await answer;
    },
  };
}

describe.runIf(canMountTmpfs)("a really full disk (tmpfs)", () => {
  it("refuses mutations with the retryable message, keeps what was acknowledged, serves queries, and recovers once space is freed", async () => {
    const server = await serverOnTmpfs(8, 5);
    const client = convexClient(server.url, cleanups);
    const acknowledged: number[] = [];
    let refusal: Error | undefined;
    for (let slot = 0; slot < 500 && refusal === undefined; slot++) {
      try {
        acknowledged.push(await client.mutation(convexApi.load!.fill!, { slot, round: slot, bytes: 48 * 1024 }));
      } catch (error) {
        refusal = error as Error;
      }
    }
    expect(refusal?.message).toMatch(FULL);
    expect(acknowledged.length).toBeGreaterThan(3);
    const refusedSlot = acknowledged.length;
    for (const [slot, round] of acknowledged.entries()) expect((await client.query(convexApi.load!.slot!, { slot }))?.round).toBe(round);
    expect(await client.query(convexApi.load!.slot!, { slot: refusedSlot })).toBeNull();

    await server.free();
    expect(await client.mutation(convexApi.load!.fill!, { slot: refusedSlot, round: 99, bytes: 48 * 1024 })).toBe(99);
    expect((await client.query(convexApi.load!.slot!, { slot: refusedSlot }))?.round).toBe(99);
  }, 60_000);
});
