// `npm run playground`: `syncline dev` for playground/syncline plus the Vite dev server. Prints
// the page's URL; Ctrl-C stops both. The backend is a child process that the playground keeps
// alive: if it stops (a crash, a `kill -9` to try reconnecting), the playground says which exit
// it was and starts it again on the same ports, while Vite and the open pages stay up - the pages
// reconnect by themselves. A backend that keeps failing at start-up is not restarted in a loop.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createServer } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Restarts within this window count as one crash loop. */
const CRASH_WINDOW_MS = 30_000;
const MAX_CRASHES_IN_WINDOW = 3;
const RESTART_DELAY_MS = 500;

interface Backend {
  child: ChildProcess;
  /** Resolves with the API and site URLs once the dev server printed them. */
  ready: Promise<{ api: string; site: string }>;
}

/** Options for `syncline dev` given after `npm run playground --`, e.g. `--port 0 --db :memory:`. */
const devArgs = process.argv.slice(2);

function startBackend(ports?: { port: string; sitePort: string }): Backend {
  // On a restart the ports the pages know come last, so they win over `--port 0`.
  const portArgs = ports ? ["--port", ports.port, "--site-port", ports.sitePort] : [];
  const child = spawn(process.execPath, ["--import", "tsx", here("../src/cli/main.ts"), "dev", "--dir", here("./syncline"), ...devArgs, ...portArgs], {
    cwd: here(".."),
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  const ready = new Promise<{ api: string; site: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let api: string | undefined;
    lines.on("line", (line) => {
      process.stdout.write(`${line}\n`);
      api ??= /API:\s+(http\S+)/.exec(line)?.[1];
      const site = /Site:\s+(http\S+)/.exec(line)?.[1];
      if (api && site) resolve({ api, site });
    });
    child.once("exit", (code, signal) => reject(new Error(`syncline dev ${describeExit(code, signal)} before it was ready`)));
  });
  ready.catch(() => {}); // reported by the exit handler below
  return { child, ready };
}

/** "exited with code 1", "was killed by SIGKILL". */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
}

let backend = startBackend();
const urls = await backend.ready.catch((error: Error) => {
  console.error(`\n  [playground] ${error.message}; see its output above. Nothing else was started.\n`);
  process.exit(1);
});
const ports = { port: new URL(urls.api).port, sitePort: new URL(urls.site).port };

const vite = await createServer({
  configFile: here("vite.config.ts"),
  define: {
    "import.meta.env.VITE_SYNCLINE_URL": JSON.stringify(urls.api),
    "import.meta.env.VITE_SYNCLINE_SITE_URL": JSON.stringify(urls.site),
  },
});
await vite.listen();
const pageUrl = vite.resolvedUrls?.local[0] ?? "http://127.0.0.1:5173/";
console.log(`\n  Playground: ${pageUrl}\n  (open it in two tabs; Ctrl-C stops everything)\n`);

let stopping = false;
const crashes: number[] = [];

function superviseBackend(current: Backend): void {
  current.child.once("exit", (code, signal) => {
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES_IN_WINDOW) {
      console.error(
        `\n  [playground] syncline dev ${describeExit(code, signal)}, the ${crashes.length}th time in ${CRASH_WINDOW_MS / 1000} s;` +
          ` not starting it again. Fix what its output above says, then restart the playground (Vite keeps serving; Ctrl-C quits).\n`,
      );
      return;
    }
    console.error(`\n  [playground] syncline dev ${describeExit(code, signal)}; starting it again on port ${ports.port} (open pages reconnect by themselves).\n`);
    setTimeout(() => {
      if (stopping) return;
      backend = startBackend(ports);
      superviseBackend(backend);
    }, RESTART_DELAY_MS);
  });
}
superviseBackend(backend);

const stop = async () => {
  if (stopping) return;
  stopping = true;
  backend.child.kill("SIGTERM");
  await vite.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
