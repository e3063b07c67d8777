// Verifies user tokens against the configured providers with `jose` (no hand-written crypto).
// Remote key sets are cached and refetched when a token names a key id they do not hold;
// OpenID discovery documents are cached per provider.

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { UserIdentity } from "../define/context.js";
import type { AuthConfig, AuthProvider, CustomJwtProvider, OidcProvider } from "./config.js";
import { identityFromClaims, tokenTail } from "./identity.js";

/** A refused token. The message is safe to send to the client and to log. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** A verified token: who, and until when. */
export interface VerifiedToken {
  identity: UserIdentity;
  /** Milliseconds since the epoch at which the token expires, if it does. */
  expiresAt: number | undefined;
}

const MAX_TOKEN_LENGTH = 16 * 1024;
const OIDC_ALGORITHMS = ["RS256", "ES256", "RS384", "RS512", "ES384", "PS256", "EdDSA"];
const CLOCK_TOLERANCE_S = 5;

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** Verifies tokens for one auth configuration. */
export class TokenVerifier {
  readonly #providers: AuthProvider[];
  readonly #keySets = new Map<AuthProvider, Promise<JWTVerifyGetKey>>();

  constructor(config: AuthConfig | undefined) {
    this.#providers = config?.providers ?? [];
  }

  /** True when at least one provider is configured. */
  get configured(): boolean {
    return this.#providers.length > 0;
  }

  /**
   * Verifies a token and returns the caller's identity; throws an `AuthenticationError` saying
   * why it was refused (without echoing the token).
   */
  async verify(token: string): Promise<VerifiedToken> {
    if (!this.configured) {
      throw new AuthenticationError("No auth provider is configured (auth.config.ts), so this server cannot verify tokens.");
    }
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthenticationError(`Token is too large (${token.length} characters; the limit is ${MAX_TOKEN_LENGTH}).`);
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw new AuthenticationError(`Token ${tokenTail(token)} is not a JWT.`);
    }
    if (header.alg === undefined || header.alg === "none") throw new AuthenticationError(`Token ${tokenTail(token)} is unsigned (alg "none"); refused.`);
    const providers = this.#providersFor(unverified.iss);
    if (providers.length === 0) {
      throw new AuthenticationError(`Token ${tokenTail(token)} was issued by ${JSON.stringify(unverified.iss ?? null)}, which is not a configured provider.`);
    }
    // One issuer may stand behind several providers (one per application, or an old and a new
    // signing algorithm): the token is good when any of them accepts it.
    let firstRefusal: unknown;
    for (const provider of providers) {
      try {
        const payload = await this.#verifyWith(provider, token);
        return { identity: identityFromClaims(payload), expiresAt: payload.exp !== undefined ? payload.exp * 1000 : undefined };
      } catch (error) {
        firstRefusal ??= error;
      }
    }
    throw new AuthenticationError(`Token ${tokenTail(token)} refused: ${reason(firstRefusal)}`);
  }

  async #verifyWith(provider: AuthProvider, token: string): Promise<JWTPayload> {
    const keys = await this.#keySet(provider);
    const { payload } = await jwtVerify(token, keys, {
      issuer: isCustom(provider) ? provider.issuer : [provider.domain, trimSlash(provider.domain), `${trimSlash(provider.domain)}/`],
      ...(provider.applicationID !== undefined ? { audience: provider.applicationID } : {}),
      algorithms: isCustom(provider) ? [provider.algorithm] : OIDC_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["sub", "iss"],
    });
    return payload;
  }

  #providersFor(issuer: string | undefined): AuthProvider[] {
    if (issuer === undefined) return [];
    return this.#providers.filter((provider) =>
      isCustom(provider) ? provider.issuer === issuer : trimSlash(provider.domain) === trimSlash(issuer),
    );
  }

  #keySet(provider: AuthProvider): Promise<JWTVerifyGetKey> {
    let keys = this.#keySets.get(provider);
    if (keys === undefined) {
      keys = isCustom(provider) ? Promise.resolve(customKeys(provider)) : discoverKeys(provider);
      // A failed discovery is retried on the next token, not cached.
      keys.catch(() => this.#keySets.delete(provider));
      this.#keySets.set(provider, keys);
    }
    return keys;
  }
}

function isCustom(provider: AuthProvider): provider is CustomJwtProvider {
  return (provider as CustomJwtProvider).type === "customJwt";
}

function customKeys(provider: CustomJwtProvider): JWTVerifyGetKey {
  if (typeof provider.jwks !== "string") return createLocalJWKSet(provider.jwks as Parameters<typeof createLocalJWKSet>[0]);
  if (provider.jwks.startsWith("data:")) {
    const json = Buffer.from(provider.jwks.slice(provider.jwks.indexOf(",") + 1), provider.jwks.includes(";base64,") ? "base64" : "utf8").toString();
    return createLocalJWKSet(JSON.parse(json) as Parameters<typeof createLocalJWKSet>[0]);
  }
  return remoteKeys(provider.jwks);
}

async function discoverKeys(provider: OidcProvider): Promise<JWTVerifyGetKey> {
  const url = `${trimSlash(provider.domain)}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) throw new AuthenticationError(`OpenID discovery at ${url} answered ${response.status}.`);
  const document = (await response.json()) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== "string") throw new AuthenticationError(`OpenID discovery at ${url} has no jwks_uri.`);
  return remoteKeys(document.jwks_uri);
}

/**
 * A cached remote key set. A token naming an unknown key id refetches it (key rotation), at most
 * once a second so a stream of forged kids cannot hammer the provider.
 */
function remoteKeys(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), { cooldownDuration: 1_000, cacheMaxAge: 10 * 60_000 });
}

function reason(error: unknown): string {
  if (error instanceof AuthenticationError) return error.message;
  if (error instanceof errors.JWTExpired) return "it has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "it is not valid yet (nbf).";
    if (error.claim === "aud") return "its audience (aud) is not this application.";
    if (error.claim === "iss") return "its issuer (iss) does not match the provider.";
    return `claim "${error.claim}" is invalid (${error.reason}).`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the signature does not verify.";
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the provider matches its key id (kid).";
  if (error instanceof errors.JOSEAlgNotAllowed) return "its signing algorithm is not allowed for this provider.";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return "the provider's keys could not be loaded.";
  if (error instanceof errors.JOSEError) return `${error.code}.`;
  return "it could not be verified.";
}
