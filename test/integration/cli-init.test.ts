// `syncline init`: the template's files, the new project's package.json, the printed next steps,
// the refusal of a folder that is not empty (and --force), and the templates themselves: their
// generated code is what codegen writes today, and the Node template's client runs against a
// real server. (That `npm install && npm run dev` works in the React template, with TypeScript
// 5.9 and the newest, is the package test's part: test/package/new-user.test.ts.)

import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { runCodegen } from "../../src/codegen/index.js";
import { init, packageName } from "../../src/cli/init.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { runCli } from "../helpers/cli-process.js";
import { call } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const REPO = join(import.meta.dirname, "../..");
const TEMPLATES = join(REPO, "templates");
const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

/** An empty folder to run init in, inside the repository (removed after the test). */
function scratch(): string {
  const folder = join(tempProject({}, cleanups).root, "work");
  mkdirSync(folder);
  return folder;
}

function initInto(cwd: string, folder: string, template: "react" | "node", force = false): { code: number; printed: string[] } {
  const printed: string[] = [];
  const code = init({ folder, template, force, cwd, print: (line) => printed.push(line) });
  return { code, printed };
}

interface Manifest {
  name: string;
  type: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

describe("syncline init", () => {
  for (const template of ["react", "node"] as const) {
    it(`writes the ${template} template: every file, .gitignore named so, package.json named for the folder with this syncline version`, () => {
      const cwd = scratch();
      const { code, printed } = initInto(cwd, "my-app", template);
      expect(code).toBe(0);
      const app = join(cwd, "my-app");
      const expected = filesUnder(join(TEMPLATES, template)).map((path) => (path === "gitignore" ? ".gitignore" : path));
      expect(filesUnder(app)).toEqual(expected.sort());
      for (const path of expected.filter((path) => path !== "package.json" && path !== ".gitignore")) {
        expect(readFileSync(join(app, path), "utf8"), path).toBe(readFileSync(join(TEMPLATES, template, path), "utf8"));
      }
      expect(readFileSync(join(app, ".gitignore"), "utf8")).toContain(".syncline/");
      const manifest = manifestOf(app);
      expect(manifest.name).toBe("my-app");
      expect(manifest.type).toBe("module");
      expect(manifest.dependencies.syncline).toBe(`^${VERSION}`);
      expect(manifest.scripts.typecheck).toBe("tsc --noEmit");
      expect(printed).toEqual([
        `Created a Syncline app from the ${template} template in my-app (${expected.length} files).`,
        "",
        "Next:",
        "  cd my-app",
        "  npm install && npm run dev",
      ]);
    });
  }

  it("the react template's scripts: dev runs Vite beside the dev server; its dependencies are what its code imports", () => {
    const manifest = manifestOf(join(TEMPLATES, "react"));
    expect(manifest.scripts).toMatchObject({ dev: 'syncline dev --run "vite"', build: "tsc --noEmit && vite build", typecheck: "tsc --noEmit" });
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["react", "react-dom", "syncline"]);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(["@types/node", "@types/react", "@types/react-dom", "@vitejs/plugin-react", "typescript", "vite"]);
  });

  it("the node template's scripts: start runs the client with tsx, dev runs it beside the dev server", () => {
    const manifest = manifestOf(join(TEMPLATES, "node"));
    expect(manifest.scripts.start).toBe("tsx src/client.ts");
    expect(manifest.scripts.dev).toMatch(/^syncline dev --run "tsx watch .*src\/client\.ts"$/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["syncline", "ws"]);
  });

  it("without a folder writes into the current one, and the next steps start at npm install", () => {
    const cwd = scratch();
    const { printed } = initInto(cwd, ".", "react");
    expect(existsSync(join(cwd, "syncline/messages.ts"))).toBe(true);
    expect(printed.slice(0, 1)).toEqual([expect.stringMatching(/^Created a Syncline app from the react template in this folder \(\d+ files\)\.$/)]);
    expect(printed.slice(1)).toEqual(["", "Next:", "  npm install && npm run dev"]);
    expect(manifestOf(cwd).name).toBe(packageName(cwd.split("/").pop()!));
  });

  it("a folder holding only .git counts as empty; a folder name with spaces is quoted in the next steps", () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "My App/.git"), { recursive: true });
    const { code, printed } = initInto(cwd, "My App", "node");
    expect(code).toBe(0);
    expect(printed).toContain('  cd "My App"');
    expect(manifestOf(join(cwd, "My App")).name).toBe("my-app");
  });

  it("refuses a folder that is not empty, says what is in it and what to do, exits 1 and writes nothing", async () => {
    const cwd = scratch();
    const app = join(cwd, "taken");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), "{}");
    writeFileSync(join(app, "notes.txt"), "mine");
    const result = await runCli(["init", app]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      `${app} is not empty (notes.txt, package.json).\n` +
        "Choose a new or empty folder (syncline init my-app), or add --force to write the template into it: files with the template's names are replaced, the others are kept.",
    );
    expect(filesUnder(app)).toEqual(["notes.txt", "package.json"]);
    expect(readFileSync(join(app, "package.json"), "utf8")).toBe("{}");
  });

  it("--force writes into a folder that is not empty: files of the template's names are replaced, the others kept", async () => {
    const cwd = scratch();
    const app = join(cwd, "taken");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), "{}");
    writeFileSync(join(app, "notes.txt"), "mine");
    const result = await runCli(["init", app, "--template", "node", "--force"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created a Syncline app from the node template in ${app}`);
    expect(manifestOf(app).dependencies.ws).toBeDefined();
    expect(readFileSync(join(app, "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(app, "src/client.ts"))).toBe(true);
  });

  it("refuses an unknown template, two folders and a file in place of a folder, with exit code 1", async () => {
    const cwd = scratch();
    const unknown = await runCli(["init", join(cwd, "a"), "--template", "vue"]);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, "--template must be one of react, node, got vue"]);
    const two = await runCli(["init", join(cwd, "a"), join(cwd, "b")]);
    expect([two.code, two.stderr.trim()]).toEqual([1, `syncline init takes one folder, got 2: ${join(cwd, "a")} ${join(cwd, "b")}`]);
    writeFileSync(join(cwd, "file"), "");
    const file = await runCli(["init", join(cwd, "file")]);
    expect([file.code, file.stderr.trim()]).toEqual([1, `${join(cwd, "file")} is a file, not a folder.`]);
    expect(existsSync(join(cwd, "a")) || existsSync(join(cwd, "b"))).toBe(false);
  });

  it("names the package after the folder as npm allows", () => {
    expect(packageName("My App!")).toBe("my-app");
    expect(packageName("_private.app")).toBe("private.app");
    expect(packageName("...")).toBe("syncline-app");
  });
});

describe("the templates", () => {
  for (const template of ["react", "node"] as const) {
    it(`${template}: the committed syncline/_generated is what codegen writes for its functions today`, async () => {
      const project = tempProject({}, cleanups);
      cpSync(join(TEMPLATES, template, "syncline"), project.dir, { recursive: true, filter: (path) => !path.includes("_generated") });
      await runCodegen({ dir: project.dir });
      const generated = join(TEMPLATES, template, "syncline/_generated");
      for (const name of readdirSync(join(project.dir, "_generated"))) {
        expect(readFileSync(join(generated, name), "utf8"), `templates/${template}/syncline/_generated/${name}: run syncline codegen --dir templates/${template}/syncline`).toBe(
          readFileSync(join(project.dir, "_generated", name), "utf8"),
        );
      }
      expect(readdirSync(generated).sort()).toEqual(readdirSync(join(project.dir, "_generated")).sort());
    });
  }

  it("node: the client script (run with tsx) prints the live list, sends its message, sees another client's, and stops on SIGTERM", async () => {
    const cwd = scratch();
    initInto(cwd, "app", "node");
    const app = join(cwd, "app");
    const server = await startServer({ dir: join(app, "syncline"), port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    // From the repository, whose tsconfig maps `syncline` to the sources for tsx.
    const client = spawn(process.execPath, ["--import", "tsx", join(app, "src/client.ts"), "hi there"], {
      cwd: REPO,
      env: { ...process.env, SYNCLINE_URL: server.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => client.once("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (client.exitCode === null && client.signalCode === null) client.kill("SIGKILL");
      await exited;
    });
    const lines: string[] = [];
    let stderr = "";
    client.stderr.on("data", (chunk) => (stderr += chunk));
    const waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
    createInterface({ input: client.stdout }).on("line", (line) => {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.test(line))) waiter.resolve();
    });
    const seen = (test: (line: string) => boolean) =>
      lines.some(test) ? Promise.resolve() : new Promise<void>((resolve, reject) => {
        waiters.push({ test, resolve });
        setTimeout(() => reject(new Error(`not printed within 20 s:\n${lines.join("\n")}\n${stderr}`)), 20_000).unref();
      });
    await seen((line) => /^Sent "hi there" \(\w+\) to http:\/\/127\.0\.0\.1:\d+$/.test(line));
    await seen((line) => line === '1 message(s): "hi there"');
    await call(server.url, "mutation", "messages:send", { room: "general", body: "from elsewhere" });
    await seen((line) => line === '2 message(s): "from elsewhere", "hi there"');
    client.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines[0]).toBe("0 message(s): ");
    expect(relative(REPO, app).startsWith("test/")).toBe(true); // inside the repository, for tsx's paths
  });
});
