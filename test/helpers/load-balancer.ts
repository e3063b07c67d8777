// A load balancer for cluster tests: each new TCP connection goes to the next node in turn; a
// node that refuses the connection (it died) is skipped. No sticky sessions, like the README's
// deployment advice.

import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface LoadBalancer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Spreads connections over `urls` round-robin.
 *
 * @example
 * const lb = await startLoadBalancer(nodes.map((node) => node.url));
 */
export async function startLoadBalancer(urls: readonly string[]): Promise<LoadBalancer> {
  const ports = urls.map((url) => Number(new URL(url).port));
  const open = new Set<Socket>();
  let next = 0;
  const server = createServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.pause();
    const attempt = (tries: number) => {
      if (tries >= ports.length) return client.destroy();
      const upstream = connect(ports[next++ % ports.length]!, "127.0.0.1");
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        open.add(upstream);
        upstream.on("close", () => open.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.resume();
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      upstream.once("error", () => {
        if (!connected) attempt(tries + 1);
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
