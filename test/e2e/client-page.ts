// A blank page with the framework-free client on it, for tests that drive SynclineClient in
// Chromium directly: `window.SynclineClient` and the test app's `window.api`, bundled from the
// sources by esbuild and served from loopback.

import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname, "../..");

const ENTRY = `
import { SynclineClient } from "syncline";
import { api } from "./test/fixtures/app/syncline/_generated/api";
Object.assign(window, { SynclineClient, api });
`;

// A button to click: some browser features (the leave-page prompt) need a real user gesture.
const HTML = `<!doctype html><meta charset="utf-8"><title>client</title>
<button id="act">act</button><script type="module" src="/client.js"></script>`;

export interface ClientPage {
  url: string;
  close(): Promise<void>;
}

export async function serveClientPage(): Promise<ClientPage> {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    alias: { syncline: join(ROOT, "src/index.ts") },
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.contents;
  const server: Server = createServer((request, response) => {
    if (request.url === "/client.js") response.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else response.writeHead(200, { "content-type": "text/html" }).end(HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
