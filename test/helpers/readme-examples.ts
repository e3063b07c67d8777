// The README's examples as files a project holds. Its functions examples leave out imports (and
// the tables they use), so README_FILES holds them completed; the client examples are complete
// and are read from the README itself (readmeClientFiles), as are its tsconfig settings.

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The README's functions, completed with their imports and a schema holding every table they use. */
export const README_FILES: Record<string, string> = {
  "images.ts": `import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";
export const generateUploadUrl = mutation({ args: {}, handler: (ctx) => ctx.storage.generateUploadUrl() });
export const save = mutation({
  args: { storageId: v.id("_storage"), author: v.string() },
  handler: (ctx, args) => ctx.db.insert("images", args),
});
export const list = query({
  args: {},
  handler: async (ctx) =>
    Promise.all((await ctx.db.query("images").collect()).map(async (image) => ({ ...image, url: await ctx.storage.getUrl(image.storageId) }))),
});
`,
  "messages.ts": `import { query, mutation } from "./_generated/server";
import { v } from "syncline/values";

export const list = query({
  args: { room: v.string() },
  handler: (ctx, { room }) =>
    ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).order("desc").take(50),
});

export const send = mutation({
  args: { room: v.string(), body: v.string() },
  handler: (ctx, args) => ctx.db.insert("messages", args),
});
`,
  "reports.ts": `import { internalAction, mutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "syncline/values";
// syncline/reports.ts - schedule work from a mutation (atomic with its writes) or an action
export const enqueueReport = mutation({
  args: { title: v.string() },
  handler: async (ctx, { title }) => {
    const reportId = await ctx.db.insert("reports", { title, status: "queued" });
    return ctx.scheduler.runAfter(0, internal.reports.build, { reportId }); // the job's id
  },
});
export const build = internalAction({ args: { reportId: v.id("reports") }, handler: async () => {} });
`,
  "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";

export default defineSchema({
  messages: defineTable({ room: v.string(), body: v.string() }).index("by_room", ["room"]),
  reports: defineTable({ title: v.string(), status: v.string() }),
  images: defineTable({ storageId: v.id("_storage"), author: v.string() }),
});
`,
  "check.ts": `import { api } from "./_generated/api";
import type { FunctionReturnType } from "syncline";
import type { Id } from "./_generated/dataModel";
// README: enqueueReport returns "the job's id".
export const jobId: FunctionReturnType<typeof api.reports.enqueueReport> = null as unknown as Id<"_scheduled_functions">;
`,
};

/** The repository's README. */
export const README = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

/**
 * The README's complete client examples, by the path their first line names (`// src/main.tsx`),
 * with that line left in: every ts/tsx block whose first line is such a comment under src/.
 *
 * @example
 * readmeClientFiles(README); // { "src/main.tsx": "// src/main.tsx\nimport ...", "src/client.ts": ... }
 */
export function readmeClientFiles(readme: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [, indent, body] of readme.matchAll(/^( *)```tsx?\n([^]*?)^ *```$/gm)) {
    const text = body!.replace(new RegExp(`^${indent}`, "gm"), "");
    const path = /^\/\/ (src\/\S+\.tsx?)\n/.exec(text)?.[1];
    if (path !== undefined) files[path] = text;
  }
  return files;
}

/** The README's tsconfig.json for an existing app (its only json block). */
export function readmeTsconfig(readme: string): string {
  const blocks = [...readme.matchAll(/^( *)```json\n([^]*?)^ *```$/gm)].map(([, indent, body]) => body!.replace(new RegExp(`^${indent}`, "gm"), ""));
  if (blocks.length !== 1) throw new Error(`the README should hold one json block (its tsconfig.json), found ${blocks.length}`);
  return blocks[0]!;
}

/** One `syncline <command>` line of a README `sh` block: the variables set before it and its arguments. */
export interface ReadmeCommand {
  env: Record<string, string>;
  args: string[];
}

/**
 * The README's `syncline <command>` lines in `sh` blocks, with `\` continuations joined and `#`
 * comments dropped; `VAR=value` words before the command become `env`.
 *
 * @example
 * readmeCommands(README, "serve"); // [{ env: {}, args: ["--dir", "syncline", "--db", "..."] }, ...]
 */
export function readmeCommands(readme: string, command: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const [, indent, body] of readme.matchAll(/^( *)```sh\n([^]*?)^ *```$/gm)) {
    const text = body!.replace(new RegExp(`^${indent}`, "gm"), "").replace(/\\\n/g, " ");
    for (const line of text.split("\n")) {
      const words = line.replace(/\s#.*$/, "").trim().split(/\s+/).filter(Boolean);
      const at = words.findIndex((word, i) => word === "syncline" && words[i + 1] === command);
      if (at < 0) continue;
      const env = Object.fromEntries(words.slice(0, at).flatMap((word) => (/^[A-Z_]+=/.test(word) ? [word.split(/=(.*)/s).slice(0, 2) as [string, string]] : [])));
      commands.push({ env, args: words.slice(at + 2) });
    }
  }
  return commands;
}

/** The rows of the README table whose header starts with `| Variable |`: each row's cells. */
export function readmeVariables(readme: string): { variable: string; flag: string | undefined }[] {
  const table = /^\| Variable \|.*\n\|[-| ]+\|\n((?:\|.*\n)+)/m.exec(readme)?.[1];
  if (table === undefined) throw new Error("the README has no table of environment variables (a `| Variable |` header)");
  return table
    .trim()
    .split("\n")
    .map((row) => row.split("|").map((cell) => cell.trim()))
    .map(([, variable, flag]) => ({ variable: variable!.replace(/`/g, ""), flag: flag === "-" ? undefined : flag!.replace(/`/g, "") }));
}
