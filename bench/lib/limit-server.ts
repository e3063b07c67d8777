// The limit rows' peer: trivial `ws` and `node:http` servers (limit-worker.ts) in a worker thread,
// as the real server runs in bench-server.ts, so a row can print Syncline's rate as a share of
// what Node, `ws` and the loopback allow on this machine, measured in the same run.

import { rmSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { bundleBenchEntry } from "./bench-server.js";

/**
 * @example
 * const limit = await LimitServer.start();
 * const socket = await SyncSocket.open(limit.url); // answers Mutation with MutationResponse
 * await limit.close();
 */
export class LimitServer {
  private constructor(
    private readonly worker: Worker,
    private readonly file: string,
    /** `http://127.0.0.1:<port>`: `/api/mutation` over HTTP, the sync path over WebSocket. */
    readonly url: string,
  ) {}

  static async start(): Promise<LimitServer> {
    const file = await bundleBenchEntry("./limit-worker.ts", "limit-worker");
    const worker = new Worker(file);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        worker.once("message", (message: { url: string }) => resolve(message.url));
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`the limit server worker exited with code ${code}`)));
      });
      return new LimitServer(worker, file, url);
    } catch (error) {
      rmSync(file, { force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.worker.once("message", resolve));
    this.worker.postMessage({ op: "close" });
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await this.worker.terminate();
    rmSync(this.file, { force: true });
  }
}
