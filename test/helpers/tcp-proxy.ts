// A TCP proxy in front of a server, so a test can break the network - drop every connection at
// once, as a flaky network or a crashed load balancer does, or keep it down for a while - without
// touching the server.

import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface TcpProxy {
  /** `http://127.0.0.1:<proxy port>` */
  readonly url: string;
  /** Destroys every open connection (both sides), without a WebSocket close frame. */
  dropAll(): void;
  /** Drops every connection and resets new ones on arrival, until `restore()`. */
  cut(): void;
  /**
   * Keeps connections open but loses whatever the server sends, until `restore()`: a half-open
   * connection, where the server goes on working and its answers never arrive.
   */
  blackhole(): void;
  /**
   * Stops reading what the server sends on the open connections, until `restore()`: a client that
   * stopped reading (a laptop lid closed), so the server's writes pile up in its socket.
   */
  stall(): void;
  /** Undoes `cut()`, `blackhole()` and `stall()`. */
  restore(): void;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<new port> to 127.0.0.1:`targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let losingServerBytes = false;
  const upstreams = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return void client.resetAndDestroy();
    const upstream = connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    upstreams.add(upstream);
    upstream.on("close", () => upstreams.delete(upstream));
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (!losingServerBytes) client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropAll,
    cut() {
      down = true;
      dropAll();
    },
    blackhole() {
      losingServerBytes = true;
    },
    stall() {
      for (const upstream of upstreams) upstream.pause();
    },
    restore() {
      down = false;
      losingServerBytes = false;
      for (const upstream of upstreams) upstream.resume();
    },
    close() {
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
