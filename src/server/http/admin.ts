// The admin key: a random secret the dev server writes into `.syncline/admin-key` (readable by
// its owner only). `syncline run` presents it to call any function, internal ones included;
// clients never have it.

import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export const ADMIN_SCHEME = "Syncline-Admin";

/** A fresh admin key. */
export function newAdminKey(): string {
  return randomBytes(32).toString("base64url");
}

/** True when `header` is `Syncline-Admin <key>` for this key (constant-time). */
export function isAdminHeader(header: string | undefined, key: string | undefined): boolean {
  if (!header || !key || !header.startsWith(`${ADMIN_SCHEME} `)) return false;
  const given = Buffer.from(header.slice(ADMIN_SCHEME.length + 1));
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Writes the key so only the owner can read it. */
export function writeAdminKey(path: string, key: string): void {
  writeFileSync(path, key, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Reads a key written by a running server, if any. */
export function readAdminKey(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}
