// Reading a JWT's payload: its lifetime, to refresh it before it expires (protocol.md §9), and its
// claims, for devtools. The signature is the server's business; the client only reads.

import { fromBase64 } from "../values/base64.js";

/** The payload of a JWT (its claims, when it is an object), or undefined if it is not one. */
export function tokenPayload(token: string): unknown {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    // base64url without padding -> the padded standard base64 the values codec already decodes.
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = fromBase64(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** `iat` and `exp` (seconds since epoch) of a JWT, or undefined if it is not one or lacks them. */
export function tokenLifetime(token: string): { iat: number; exp: number } | undefined {
  const { iat, exp } = (tokenPayload(token) ?? {}) as { iat?: unknown; exp?: unknown };
  if (typeof iat !== "number" || typeof exp !== "number") return undefined;
  return { iat, exp };
}
