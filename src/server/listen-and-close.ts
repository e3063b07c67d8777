// Starting and stopping a Node HTTP server the way both of a server's ports do (the API and the
// site of HTTP actions): a port in use is an error that says what to change, and closing cuts
// the connections still open instead of waiting for clients to hang up.

import type { Server } from "node:http";

/**
 * Starts `server` listening; when the port is taken, rejects with `inUse` (the port's own advice)
 * and the original error as its cause.
 *
 * @example
 * await listenOn(server, 3211, "127.0.0.1", "The site port 3211 (HTTP actions) is in use; choose another with sitePort / --site-port.");
 */
export async function listenOn(server: Server, port: number, host: string, inUse: string): Promise<void> {
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(port, host, () => {
        server.off("error", rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    throw new Error(inUse, { cause: error });
  }
}

/**
 * Stops `server` and cuts every connection still open (WebSockets are closed before).
 *
 * @example
 * sync.close();
 * await closeHttpServer(server);
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise<void>((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
