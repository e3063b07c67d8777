// `npm run playground`: `syncline dev` for playground/syncline plus the Vite dev server. Prints
// the page's URL; Ctrl-C stops both.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createServer } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const backend = spawn(process.execPath, ["--import", "tsx", here("../src/cli/main.ts"), "dev", "--dir", here("./syncline")], {
  cwd: here(".."),
  stdio: ["ignore", "pipe", "inherit"],
  env: process.env,
});
const urls = await new Promise<{ api: string; site: string }>((resolve, reject) => {
  const lines = createInterface({ input: backend.stdout! });
  let api: string | undefined;
  lines.on("line", (line) => {
    process.stdout.write(`${line}\n`);
    api ??= /API:\s+(http\S+)/.exec(line)?.[1];
    const site = /Site:\s+(http\S+)/.exec(line)?.[1];
    if (api && site) resolve({ api, site });
  });
  backend.once("exit", (code) => reject(new Error(`syncline dev exited with code ${code}`)));
});

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
const stop = async () => {
  if (stopping) return;
  stopping = true;
  backend.kill("SIGTERM");
  await vite.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
backend.once("exit", () => void stop());
