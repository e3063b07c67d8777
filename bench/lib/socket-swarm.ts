// Many sync sockets at once (10,000 by default), each watching one query, spread over child
// processes (socket-swarm-child.ts): the bench process holds the server's side of every socket,
// and one process's file descriptor limit would not hold both sides. All on loopback.

import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { bundleBenchEntry } from "./bench-server.js";

type Reply = { op: "opened" } | { op: "firsts"; last: number } | { op: "arrived"; last: number } | { op: "error"; error: string };

/** Epoch milliseconds, comparable across the processes of this machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * @example
 * const swarm = await SocketSwarm.open(server.url, 10_000, "counters:get", { name: "x" });
 * const sent = epochNow(); mutator.mutation("counters:increment", { name: "x" });
 * const ms = (await swarm.arrived(swarm.startValue + 1)) - sent;
 * await swarm.close();
 */
export class SocketSwarm {
  private constructor(
    private readonly children: ChildProcess[],
    private readonly file: string,
    /** Epoch ms when every socket had its first result. */
    readonly firstsAt: number,
  ) {}

  /** Opens `count` sockets over `processes` children; resolves once every socket has its first result. */
  static async open(url: string, count: number, udfPath: string, args: Record<string, unknown>, processes = 2): Promise<SocketSwarm> {
    const file = await bundleBenchEntry("./socket-swarm-child.ts", "socket-swarm-child");
    const children = Array.from({ length: processes }, () => fork(file, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    try {
      const firsts = await Promise.all(
        children.map((child, i) => {
          const share = Math.floor(count / processes) + (i < count % processes ? 1 : 0);
          const done = nextReply(child, "firsts", 300_000);
          child.send({ op: "open", url, count: share, udfPath, args });
          return done;
        }),
      );
      return new SocketSwarm(children, file, Math.max(...firsts.map((reply) => (reply as { last: number }).last)));
    } catch (error) {
      for (const child of children) child.kill();
      rmSync(file, { force: true });
      throw error;
    }
  }

  /** Resolves with the epoch ms at which the last socket showed `value` (ask before causing it). */
  arrived(value: unknown): Promise<number> {
    return Promise.all(
      this.children.map((child) => {
        const done = nextReply(child, "arrived", 120_000);
        child.send({ op: "expect", value });
        return done;
      }),
    ).then((replies) => Math.max(...replies.map((reply) => (reply as { last: number }).last)));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.send({ op: "close" });
          }),
      ),
    );
    rmSync(this.file, { force: true });
  }
}

function nextReply(child: ChildProcess, op: Reply["op"], timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error(`socket swarm: no "${op}" from a child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (reply: Reply) => {
      if (reply.op === "error") {
        clearTimeout(timer);
        child.off("message", onMessage);
        reject(new Error(`socket swarm: ${reply.error}`));
      } else if (reply.op === op) {
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(reply);
      }
    };
    child.on("message", onMessage);
  });
}
