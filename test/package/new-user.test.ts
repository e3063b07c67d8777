// The first hour of a new user, from the packed package in a fresh folder: `syncline init`,
// `npm install` (syncline from the tarball, the rest from the registry), `npm run typecheck` with
// the TypeScript the template pins and again with the newest on the registry (the README's setup
// for an existing app too, with both), `npm run build`, then `npm run dev` and the page in
// headless Chromium: a message sent from a second page shows in the first page's live list, and
// one Ctrl-C stops the dev server and Vite.
//
// One npm install serves both TypeScript versions: only typescript is swapped.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, type Browser } from "../e2e/browser.js";
import { README_FILES, readmeClientFiles, readmeTsconfig } from "../helpers/readme-examples.js";
import { env, run } from "./run.js";

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;

let scratch: string;
let app: string;
let initOutput: string;
let generatedManifest: { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const bin = (name: string) => join(app, "node_modules/.bin", name);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-new-user-"));
  // What `npx syncline init my-app` runs: the package's CLI, here from the packed files (init
  // needs none of the package's dependencies).
  await run("tar", ["xzf", inject("tarball"), "-C", scratch], scratch);
  initOutput = await run(process.execPath, [join(scratch, "package/dist/cli/main.js"), "init", "my-app"], scratch);
  app = join(scratch, "my-app");
  generatedManifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as typeof generatedManifest;
  // syncline from the tarball (this version is not on the registry yet); ws and @types/ws for
  // the README's Node script, which the README's setup checks below.
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", inject("tarball"), "ws", "@types/ws"], app);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The README's "Adding Syncline to an existing app": its tsconfig.json, its functions and clients, in `readme/`. */
async function writeReadmeProject(): Promise<string> {
  const root = join(app, "readme");
  const readme = readFileSync(join(app, "node_modules/syncline/README.md"), "utf8");
  const files = {
    "tsconfig.json": readmeTsconfig(readme),
    ...Object.fromEntries(Object.entries(README_FILES).map(([path, text]) => [`syncline/${path}`, text])),
    ...readmeClientFiles(readme),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  await run(bin("syncline"), ["codegen", "--dir", "readme/syncline"], app);
  return root;
}

/** `npm run typecheck` and tsc over the README's project, with the installed TypeScript; resolves to its version. */
async function typecheckAll(): Promise<string> {
  const version = (await run(bin("tsc"), ["--version"], app)).trim();
  await run("npm", ["run", "typecheck"], app);
  await run(bin("tsc"), ["-p", "readme/tsconfig.json"], app);
  return version;
}

describe("a new user", () => {
  it("syncline init writes the project with this version of syncline and prints the next steps", () => {
    expect(initOutput).toMatch(/^Created a Syncline app from the react template in my-app \(\d+ files\)\.\n\nNext:\n  cd my-app\n  npm install && npm run dev\n$/);
    expect(generatedManifest.dependencies.syncline).toBe(`^${VERSION}`);
    // What new users get: the TypeScript the declarations are tested with most (and whose
    // language service editors load); the next test shows the newest works too.
    expect(generatedManifest.devDependencies.typescript).toBe("~5.9.3");
  });

  it("npm run typecheck passes with the template's TypeScript 5.9; so does the README's setup for an existing app", async () => {
    await writeReadmeProject();
    expect(await typecheckAll()).toMatch(/^Version 5\.9\.\d+$/);
  });

  it("and with the newest TypeScript on the registry", async () => {
    const newest = (await run("npm", ["view", "typescript", "version"], app)).trim();
    await run("npm", ["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `typescript@${newest}`], app);
    expect(await typecheckAll()).toBe(`Version ${newest}`);
  });

  it("npm run build builds the page for the backend named in SYNCLINE_URL", async () => {
    await run("npm", ["run", "build"], app, { SYNCLINE_URL: "https://api.example.com" });
    const assets = readdirSync(join(app, "dist/assets")).filter((name) => name.endsWith(".js"));
    const code = assets.map((name) => readFileSync(join(app, "dist/assets", name), "utf8")).join("\n");
    // (booleans: a failure must not print the whole bundle)
    expect(code.includes("https://api.example.com"), "the client gets SYNCLINE_URL").toBe(true);
    expect(code.includes("127.0.0.1:3210"), "not the default").toBe(false);
    expect(code.includes("jsxDEV"), "a production build").toBe(false);
    expect(readFileSync(join(app, "dist/index.html"), "utf8")).toContain('<div id="root"></div>');
  });

  describe("npm run dev", () => {
    let dev: ChildProcess | undefined;
    let browser: Browser | undefined;
    const output: string[] = [];
    const printed = (pattern: RegExp) => output.map((line) => pattern.exec(line)?.[1]).find((match) => match !== undefined);
    const viteUrl = () => printed(/^\[vite\].*Local:\s+(http\S+)/);
    const apiUrl = () => printed(/^\[syncline\]\s+API:\s+(http\S+)/);

    afterAll(async () => {
      await browser?.close();
      if (dev?.pid !== undefined && dev.exitCode === null && dev.signalCode === null) {
        const exited = new Promise((resolve) => dev!.once("exit", resolve));
        process.kill(-dev.pid, "SIGKILL");
        await exited;
      }
    });

    it("serves the page; a message sent from a second page shows in the first one's live list", async () => {
      // Its own process group, as in a terminal, so the Ctrl-C below reaches npm, its shell and
      // syncline as one; free ports, since 3210 may be taken on this machine.
      dev = spawn("npm", ["run", "dev", "--", "--port", "0", "--site-port", "0"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      // Without colours: Vite colours its output wherever CI is set (as on CI machines), and the
      // port in its URL line is then wrapped in escape codes.
      const lines = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on("line", (line) => output.push(stripVTControlCharacters(line)));
      lines(dev.stdout!);
      lines(dev.stderr!);
      const pageUrl = await new Promise<string>((resolve, reject) => {
        const deadline = Date.now() + 60_000;
        const poll = setInterval(() => {
          const url = viteUrl();
          const failure = dev!.exitCode !== null ? `npm run dev exited with ${dev!.exitCode}` : Date.now() > deadline ? "Vite printed no URL within 60 s" : undefined;
          if (url === undefined && failure === undefined) return;
          clearInterval(poll);
          if (url !== undefined) resolve(url);
          else reject(new Error(`${failure}:\n${output.join("\n")}`));
        }, 50);
      });
      expect(apiUrl(), output.join("\n")).toBeDefined();

      browser = await launchBrowser();
      const errors: string[] = [];
      const open = async () => {
        const page = await browser!.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(pageUrl);
        await page.getByTestId("connection").filter({ hasText: /^connected$/ }).waitFor({ timeout: 30_000 });
        return page;
      };
      const first = await open();
      await first.getByText("No messages yet").waitFor();
      const second = await open();
      const text = `hello from the second page ${Date.now()}`;
      await second.getByRole("textbox", { name: "Message" }).fill(text);
      await second.getByRole("button", { name: "Send" }).click();
      await first.getByTestId("messages").getByText(text).waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
      // Written to this dev server (the page found it through SYNCLINE_URL, not a default port).
      const stored = JSON.parse(await run(bin("syncline"), ["run", "messages:list", '{"room":"general"}'], app)) as { body: string }[];
      expect(stored.map((message) => message.body)).toEqual([text]);
    });

    it("prefixes every line with its source, checks types with the installed TypeScript, and one Ctrl-C stops both", async () => {
      expect(dev, "the dev server of the previous test").toBeDefined();
      const pageUrl = viteUrl()!;
      const api = apiUrl()!;
      expect(output.find((line) => line.includes("Types:"))).toMatch(/^\[syncline\]\s+Types:\s+checked with TypeScript \d/);
      // npm's own header (`> my-app@0.0.0 dev`) comes before either starts.
      const fromThem = output.slice(output.findIndex((line) => line.startsWith("[syncline]")));
      expect(fromThem.filter((line) => !/^\[(syncline|vite)\]( |$)/.test(line))).toEqual([]);
      const exited = new Promise<number | null>((resolve) => dev!.once("exit", (code) => resolve(code)));
      process.kill(-dev!.pid!, "SIGINT"); // Ctrl-C in the terminal
      await exited;
      await expect(fetch(pageUrl), "Vite is stopped").rejects.toThrow();
      await expect(fetch(api), "the dev server is stopped").rejects.toThrow();
    });
  });
});
