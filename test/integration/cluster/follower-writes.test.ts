// An action's own writes on a follower - ctx.scheduler.runAfter / runAt / cancel, ctx.storage.store
// and delete, an upload through generateUploadUrl, an HTTP action storing a file - happen at the
// leader (forwarded like mutations); file contents are written by the follower itself. Three node
// processes on one Postgres cluster; node-0 leads.

import { createHash } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { databaseName, leaderOf, type ClusterNodeProcess } from "../../helpers/cluster-nodes.js";
import { call } from "../../helpers/server.js";
import { startTestNodes, useClusterNodes, usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";

const cleanups = cleanupAfterEach();
const postgres = usePostgresCluster();
const cluster = useClusterNodes(postgres, 3);
const { nodes } = cluster;

/** The value of a call to `node`'s HTTP API; throws with the error message of a failed one. */
async function value(node: ClusterNodeProcess, kind: "query" | "mutation" | "action", name: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const answer = await call(node.url, kind, name, args as never);
  if (answer.body.status !== "success") throw new Error(`${name} on ${node.nodeId}: ${String(answer.body.errorMessage)}`);
  return answer.body.value;
}

/** The error message of a call that must fail. */
async function failure(node: ClusterNodeProcess, kind: "query" | "mutation" | "action", name: string, args: Record<string, unknown>): Promise<string> {
  const answer = await call(node.url, kind, name, args as never);
  expect(answer.body.status).toBe("error");
  return String(answer.body.errorMessage);
}

const base64Sha256 = (text: string) => createHash("sha256").update(text).digest("base64");
const blobRows = (text: string) => postgres.psql(`SELECT count(*) FROM syncline_blobs WHERE key = '${createHash("sha256").update(text).digest("hex")}'`, databaseName(cluster.db)).trim();

/** `/api/storage/<id>` fetched from every node: status, content type and body of each. */
async function servedEverywhere(storageId: string): Promise<{ status: number; type: string | null; body: string }[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const response = await fetch(`${node.url}/api/storage/${storageId}`);
      return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
    }),
  );
}

describe("an action's writes on a follower go to the leader", () => {
  it("a mutation scheduled by an action on a follower runs once, on the leader, and every node sees it", async () => {
    expect(leaderOf(postgres, cluster.db).nodeId).toBe("node-0");
    const jobId = (await value(nodes[1]!, "action", "files:scheduleFromAction", { name: "fw-after", delayMs: 0 })) as string;
    expect(jobId).toMatch(/^_scheduled_functions_/);
    const at = (await value(nodes[2]!, "action", "files:scheduleAtFromAction", { name: "fw-at", at: Date.now() + 200 })) as string;
    for (const node of nodes) {
      await waitFor(() => value(node, "query", "files:jobState", { jobId }), (state) => state === "success");
      await waitFor(() => value(node, "query", "files:jobState", { jobId: at }), (state) => state === "success");
    }
    // Given the time to run twice (a follower's runner, a duplicate row), it ran once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const node of nodes) {
      expect(await value(node, "query", "ticks:count", { name: "fw-after" })).toBe(1);
      expect(await value(node, "query", "ticks:count", { name: "fw-at" })).toBe(1);
      expect(await value(node, "query", "ticks:jobs", { name: "fw-after" })).toMatchObject({ times: [expect.any(Number)], succeeded: 1 });
    }
  });

  it("an action on a follower cancels a job; cancelling a job that does not exist fails with a clear error", async () => {
    const jobId = (await value(nodes[1]!, "action", "files:scheduleFromAction", { name: "fw-cancel", delayMs: 60_000 })) as string;
    // Read-your-writes: the scheduling node already shows the job it answered with.
    expect(await value(nodes[1]!, "query", "files:jobState", { jobId })).toBe("pending");
    await value(nodes[2]!, "action", "files:cancelFromAction", { jobId });
    expect(await value(nodes[2]!, "query", "files:jobState", { jobId })).toBe("canceled");
    await waitFor(() => value(nodes[0]!, "query", "files:jobState", { jobId }), (state) => state === "canceled");
    // Cancelling again is a no-op, as on one server.
    await value(nodes[1]!, "action", "files:cancelFromAction", { jobId });
    expect(await value(nodes[1]!, "query", "files:jobState", { jobId })).toBe("canceled");
    expect(await value(nodes[1]!, "query", "ticks:count", { name: "fw-cancel" })).toBe(0);

    // The id of no job: the leader's transaction says so, and the follower's action throws it.
    const missing = jobId.replace(/.$/, (last) => (last === "a" ? "b" : "a"));
    expect(await failure(nodes[1]!, "action", "files:cancelFromAction", { jobId: missing })).toMatch(/ctx.scheduler.cancel: there is no scheduled function _scheduled_functions_/);
  });

  it("an action on a follower stores a file and returns its id and getUrl; every node serves the bytes", async () => {
    const text = `stored on a follower ${Date.now()}`;
    const { storageId, url } = (await value(nodes[2]!, "action", "files:storeFromAction", { text, contentType: "text/plain" })) as { storageId: string; url: string };
    expect(storageId).toMatch(/^_storage_/);
    expect(url).toBe(`${nodes[2]!.url}/api/storage/${storageId}`);
    expect((await fetch(url)).status).toBe(200);
    expect(await servedEverywhere(storageId)).toEqual(nodes.map(() => ({ status: 200, type: "text/plain", body: text })));
    for (const node of nodes) await waitFor(() => value(node, "query", "files:filesWithDigest", { sha256: base64Sha256(text) }), (ids) => JSON.stringify(ids) === JSON.stringify([storageId]));
    expect(blobRows(text)).toBe("1");

    // Deleted by an action on another follower: the row, the file URL and the blob are gone everywhere.
    await value(nodes[1]!, "action", "files:deleteFromAction", { storageId });
    expect((await fetch(`${nodes[1]!.url}/api/storage/${storageId}`)).status).toBe(404);
    for (const node of nodes) await waitFor(async () => (await fetch(`${node.url}/api/storage/${storageId}`)).status, (status) => status === 404);
    expect(blobRows(text)).toBe("0");
    expect(await failure(nodes[2]!, "action", "files:deleteFromAction", { storageId })).toMatch(/there is no file/);
  });

  it("an upload URL from a mutation (run by the leader) or from an action on a follower accepts the POST on any follower", async () => {
    const fromMutation = (await value(nodes[1]!, "mutation", "files:generateUploadUrl")) as string;
    expect(fromMutation.startsWith(`${nodes[0]!.url}/api/storage/upload?token=`)).toBe(true); // the leader ran it
    const fromAction = (await value(nodes[1]!, "action", "files:uploadUrlFromAction")) as string;
    expect(fromAction.startsWith(`${nodes[1]!.url}/api/storage/upload?token=`)).toBe(true);
    for (const [made, target, text] of [
      [fromMutation, nodes[2]!, `uploaded through node-2 ${Date.now()}`],
      [fromAction, nodes[2]!, `uploaded through node-2 again ${Date.now()}`],
      [fromAction, nodes[1]!, `uploaded through node-1 ${Date.now()}`],
    ] as const) {
      const token = new URL(made).searchParams.get("token")!;
      const response = await fetch(`${target.url}/api/storage/upload?token=${encodeURIComponent(token)}`, { method: "POST", body: text, headers: { "content-type": "text/markdown" } });
      expect(response.status).toBe(200);
      const { storageId } = (await response.json()) as { storageId: string };
      // The node that answered shows the row at once; the others serve it too.
      expect(await value(target, "query", "files:filesWithDigest", { sha256: base64Sha256(text) })).toEqual([storageId]);
      for (const node of nodes) await waitFor(async () => (await fetch(`${node.url}/api/storage/${storageId}`)).status, (status) => status === 200);
      expect(await servedEverywhere(storageId)).toEqual(nodes.map(() => ({ status: 200, type: "text/markdown", body: text })));
    }
  });

  it("a changed upload token is refused by every node, and nothing is stored", async () => {
    const made = (await value(nodes[0]!, "mutation", "files:generateUploadUrl")) as string;
    const token = new URL(made).searchParams.get("token")!;
    const forged = `${token.split(".")[0]}.${"A".repeat(43)}`;
    const text = `never stored ${Date.now()}`;
    for (const node of nodes) {
      const response = await fetch(`${node.url}/api/storage/upload?token=${encodeURIComponent(forged)}`, { method: "POST", body: text });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: "InvalidUploadToken" });
    }
    expect(await value(nodes[0]!, "query", "files:filesWithDigest", { sha256: base64Sha256(text) })).toEqual([]);
    expect(blobRows(text)).toBe("0");
  });

  it("an HTTP action on a follower stores the request's body and schedules a mutation: both happen once, at the leader", async () => {
    const text = `posted to a follower's site ${Date.now()}`;
    const response = await fetch(`${nodes[1]!.siteUrl}/store?tick=fw-http`, { method: "POST", body: text, headers: { "content-type": "text/csv" } });
    expect(response.status).toBe(200);
    const { storageId, url, jobId } = (await response.json()) as { storageId: string; url: string; jobId: string };
    expect(url).toBe(`${nodes[1]!.url}/api/storage/${storageId}`);
    expect(await servedEverywhere(storageId)).toEqual(nodes.map(() => ({ status: 200, type: "text/csv", body: text })));
    await waitFor(() => value(nodes[2]!, "query", "files:jobState", { jobId }), (state) => state === "success");
    expect(await value(nodes[2]!, "query", "ticks:count", { name: "fw-http" })).toBe(1);
  });
});

describe("exactly once across a failover", () => {
  it("the leader crashes after committing a follower's file row, before it answers: the retry at the new leader returns the same id, and there is one row", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "syncline-crash-")), "crashed");
    const crashing = await startTestNodes(postgres, 3, cleanups, { SYNCLINE_TEST_CRASH_AFTER_COMMIT: "storage.insertFile", SYNCLINE_TEST_CRASH_MARKER: marker });
    const [leader, follower, other] = crashing.nodes as [ClusterNodeProcess, ClusterNodeProcess, ClusterNodeProcess];
    const text = `stored across a crash ${Date.now()}`;
    const answer = await call(follower.url, "action", "files:storeFromAction", { text, contentType: "text/plain" } as never);
    expect(answer.body.status).toBe("success");
    const { storageId } = answer.body.value as { storageId: string };
    expect(existsSync(marker)).toBe(true); // the leader did crash after committing the row
    expect(await leader.exited).toBe("SIGKILL");
    expect(leaderOf(postgres, crashing.db).epoch).toBe(2);
    const ids = await call(other.url, "query", "files:filesWithDigest", { sha256: base64Sha256(text) } as never);
    expect(ids.body.value).toEqual([storageId]);
    expect(await (await fetch(`${other.url}/api/storage/${storageId}`)).text()).toBe(text);
  }, 60_000);
});
