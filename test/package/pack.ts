// Vitest's global setup for `npm run test:package`: packs the package once (npm pack builds
// dist/ first) for every test file, which install the tarball into projects of their own. Two
// files packing at once would both rebuild dist/ under each other.

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { run } from "./run.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The packed package (.tgz), for `npm install`. */
    tarball: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const folder = mkdtempSync(join(tmpdir(), "syncline-pack-"));
  await run("npm", ["pack", "--pack-destination", folder, "--loglevel=error"], join(import.meta.dirname, "../.."));
  const [tarball] = readdirSync(folder).filter((name) => name.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${folder}`);
  project.provide("tarball", join(folder, tarball));
  return () => rmSync(folder, { recursive: true, force: true });
}
