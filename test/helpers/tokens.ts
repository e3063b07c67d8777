// Real keys and real JWTs for auth tests, and a JWKS / OpenID discovery server on loopback.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: PrivateKey;
  publicJwk: JWK;
}

/** A fresh key pair with its public JWK. */
export async function signingKey(alg: "RS256" | "ES256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicJwk };
}

/** Signs a token: `sub` and `iss` required; expires in `expiresIn` seconds unless claims say otherwise. */
export function mint(key: SigningKey, claims: JWTPayload & { sub: string; iss: string }, options: { expiresIn?: number; audience?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + (options.expiresIn ?? 3600));
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(key.privateKey);
}

/** An unsigned token (`alg: none`), which every server must refuse. */
export function unsignedToken(claims: JWTPayload): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
}

export interface IdentityProvider {
  url: string;
  /** The keys the JWKS endpoint serves now (tests rotate them). */
  keys: JWK[];
  jwksRequests: number;
  close(): Promise<void>;
}

/** Serves `/.well-known/openid-configuration` and `/jwks.json` on 127.0.0.1. */
export async function identityProvider(keys: JWK[]): Promise<IdentityProvider> {
  const provider = { keys, jwksRequests: 0 } as IdentityProvider;
  const server: Server = createServer((request, response) => {
    if (request.url === "/.well-known/openid-configuration") {
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ issuer: provider.url, jwks_uri: `${provider.url}/jwks.json` }));
    } else if (request.url === "/jwks.json") {
      provider.jwksRequests++;
      response.setHeader("Content-Type", "application/json");
      response.end(JSON.stringify({ keys: provider.keys }));
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.close = () => new Promise((resolve) => server.close(() => resolve()));
  return provider;
}
