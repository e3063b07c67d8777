// Reading a JWT's lifetime, to refresh it before it expires (protocol.md §9). The signature is
// the server's business; the client only needs `iat` and `exp`.

/** `iat` and `exp` (seconds since epoch) of a JWT, or undefined if it is not one or lacks them. */
export function tokenLifetime(token: string): { iat: number; exp: number } | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
    const json: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    const { iat, exp } = json as { iat?: unknown; exp?: unknown };
    if (typeof iat !== "number" || typeof exp !== "number") return undefined;
    return { iat, exp };
  } catch {
    return undefined;
  }
}
