// Who is calling: the token verifier built from the functions' `auth.config.ts`, and the caller
// of an HTTP request (API and HTTP actions alike) read from its Authorization header.

import type { IncomingMessage } from "node:http";
import { parseAuthConfig, type AuthConfig } from "../auth/config.js";
import { AuthenticationError, TokenVerifier } from "../auth/verifier.js";
import { isAdminHeader } from "../http/admin.js";
import { HttpProblem } from "../http/request-body.js";
import type { LoadedModules } from "../runtime/load.js";
import type { Caller } from "../runtime/runtime.js";

/**
 * The checked auth configuration of loaded code (a malformed one fails the load).
 *
 * @example
 * new FunctionsHost({ ...options, check: (next) => void authConfigOf(next) });
 */
export function authConfigOf(loaded: LoadedModules): AuthConfig | undefined {
  if (loaded.authConfig === undefined) return undefined;
  const file = loaded.modules.find((module) => module.modulePath === "auth.config")?.file ?? "auth.config.ts";
  return parseAuthConfig(loaded.authConfig, file);
}

/**
 * The verifier of the tokens loaded code accepts.
 *
 * @example
 * verifier = verifierFor(await host.load());
 */
export function verifierFor(loaded: LoadedModules): TokenVerifier {
  return new TokenVerifier(authConfigOf(loaded));
}

/**
 * Reads the caller of HTTP requests: the admin key makes it the server itself, a valid bearer
 * token a signed-in client, no header an anonymous client; a bad token is a 401.
 * `verifier` is read per request, so a reload's new auth config applies at once.
 *
 * @example
 * const callerFor = requestCaller(options.adminKey, () => verifier);
 * const caller = await callerFor(request);
 */
export function requestCaller(adminKey: string | undefined, verifier: () => TokenVerifier): (request: IncomingMessage) => Promise<Caller> {
  return async (request) => {
    const authorization = request.headers.authorization;
    if (isAdminHeader(authorization, adminKey)) return { origin: "server", identity: null };
    if (authorization?.startsWith("Bearer ")) {
      try {
        const { identity } = await verifier().verify(authorization.slice("Bearer ".length).trim());
        return { origin: "client", identity };
      } catch (error) {
        if (error instanceof AuthenticationError) throw new HttpProblem(401, "Unauthenticated", error.message);
        throw error;
      }
    }
    return { origin: "client", identity: null };
  };
}
