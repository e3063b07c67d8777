// `auth.config.ts`: the identity providers whose tokens this deployment accepts.

/** A provider that signs JWTs with keys from a JWKS (a URL, or the key set itself). */
export interface CustomJwtProvider {
  type: "customJwt";
  /** Must equal the token's `iss`. */
  issuer: string;
  /** The JWKS URL, or the JWKS itself (`{ keys: [...] }`). */
  jwks: string | { keys: Record<string, unknown>[] };
  algorithm: "RS256" | "ES256" | "RS384" | "RS512" | "ES384" | "PS256" | "EdDSA";
  /** When set, must appear in the token's `aud`. */
  applicationID?: string;
}

/** An OpenID Connect provider: keys from its discovery document. */
export interface OidcProvider {
  type?: "oidc";
  /** The issuer URL; `<domain>/.well-known/openid-configuration` is fetched. */
  domain: string;
  /** Must appear in the token's `aud`. */
  applicationID: string;
}

export type AuthProvider = CustomJwtProvider | OidcProvider;

/** The default export of `auth.config.ts`. */
export interface AuthConfig {
  providers: AuthProvider[];
}

const ALGORITHMS = new Set(["RS256", "ES256", "RS384", "RS512", "ES384", "PS256", "EdDSA"]);

/**
 * Checks the shape of an `auth.config.ts` default export; throws an error naming what is wrong.
 *
 * @example
 * export default { providers: [{ domain: "https://accounts.example.com", applicationID: "my-app" }] };
 */
export function parseAuthConfig(value: unknown, file = "auth.config.ts"): AuthConfig {
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (typeof value !== "object" || value === null) fail("the default export must be { providers: [...] }");
  const providers = (value as { providers?: unknown }).providers;
  if (!Array.isArray(providers)) fail('"providers" must be an array');
  return {
    providers: (providers as unknown[]).map((provider, i) => {
      if (typeof provider !== "object" || provider === null) return fail(`providers[${i}] must be an object`);
      const p = provider as Record<string, unknown>;
      if (p.type === "customJwt") {
        if (typeof p.issuer !== "string" || p.issuer === "") fail(`providers[${i}].issuer must be a non-empty string`);
        if (typeof p.jwks !== "string" && !(typeof p.jwks === "object" && p.jwks !== null && Array.isArray((p.jwks as { keys?: unknown }).keys))) {
          fail(`providers[${i}].jwks must be a URL or a JWKS object with "keys"`);
        }
        if (typeof p.algorithm !== "string" || !ALGORITHMS.has(p.algorithm)) fail(`providers[${i}].algorithm must be one of ${[...ALGORITHMS].join(", ")}`);
        if (p.applicationID !== undefined && typeof p.applicationID !== "string") fail(`providers[${i}].applicationID must be a string`);
        return p as unknown as CustomJwtProvider;
      }
      if (p.type !== undefined && p.type !== "oidc") fail(`providers[${i}].type must be "customJwt" or "oidc"`);
      if (typeof p.domain !== "string" || !/^https?:\/\//.test(p.domain)) fail(`providers[${i}].domain must be an http(s) URL`);
      if (typeof p.applicationID !== "string" || p.applicationID === "") fail(`providers[${i}].applicationID must be a non-empty string`);
      return p as unknown as OidcProvider;
    }),
  };
}
