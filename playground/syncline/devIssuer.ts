// DEV ONLY. A token issuer for the playground, so it can show per-user data without a real auth
// provider. Anyone who can reach the site URL can mint a token for any name: never deploy this.
// The key pair is made on first use and kept in `.syncline/dev-issuer.json` of the project.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";

export const DEV_ISSUER = "https://dev-only.syncline.invalid";
const KEY_FILE = join(process.cwd(), ".syncline", "dev-issuer.json");

async function loadOrCreateKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  if (existsSync(KEY_FILE)) return JSON.parse(readFileSync(KEY_FILE, "utf8")) as { privateJwk: JWK; publicJwk: JWK };
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const keys = {
    privateJwk: { ...(await exportJWK(privateKey)), kid: "dev-1", alg: "ES256" },
    publicJwk: { ...(await exportJWK(publicKey)), kid: "dev-1", alg: "ES256", use: "sig" },
  };
  mkdirSync(dirname(KEY_FILE), { recursive: true });
  writeFileSync(KEY_FILE, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export const devKeys = await loadOrCreateKeys();

/** Signs a short-lived token for `name` (the client refreshes it before it expires). */
export async function mintDevToken(name: string, lifetimeSeconds: number): Promise<string> {
  const key = await importJWK(devKeys.privateJwk, "ES256");
  return new SignJWT({ name })
    .setProtectedHeader({ alg: "ES256", kid: "dev-1", typ: "JWT" })
    .setIssuer(DEV_ISSUER)
    .setSubject(name.toLowerCase())
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key);
}
