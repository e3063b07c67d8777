// From verified JWT claims to the `UserIdentity` functions see.

import type { JWTPayload } from "jose";
import type { UserIdentity } from "../define/context.js";

const STANDARD_CLAIMS: Record<string, string> = {
  name: "name",
  given_name: "givenName",
  family_name: "familyName",
  nickname: "nickname",
  preferred_username: "preferredUsername",
  picture: "pictureUrl",
  email: "email",
  email_verified: "emailVerified",
  phone_number: "phoneNumber",
  phone_number_verified: "phoneNumberVerified",
  updated_at: "updatedAt",
  gender: "gender",
  birthday: "birthday",
  timezone: "timezone",
  language: "language",
  profile_url: "profileUrl",
  address: "address",
};

/** Claims that change on every routine refresh and say nothing about who the user is. */
const VOLATILE_CLAIMS = new Set(["iat", "exp", "nbf", "jti", "auth_time", "at_hash", "c_hash", "nonce", "sid"]);

/** Maps verified claims to an identity: standard OIDC claims camel-cased, custom claims kept. */
export function identityFromClaims(claims: JWTPayload): UserIdentity {
  const issuer = claims.iss!;
  const subject = claims.sub!;
  const identity: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [claim, value] of Object.entries(claims)) {
    if (claim === "iss" || claim === "sub" || claim === "aud" || VOLATILE_CLAIMS.has(claim)) continue;
    const mapped = STANDARD_CLAIMS[claim] ?? claim;
    identity[mapped] = claim === "updated_at" && typeof value === "number" ? new Date(value * 1000).toISOString() : value;
  }
  // Last: the verified fields win over any claim of the same name (a provider could otherwise
  // mint a `tokenIdentifier` claim naming another provider's user).
  return { ...identity, tokenIdentifier: `${issuer}|${subject}`, subject, issuer } as UserIdentity;
}

/**
 * A key for "the same user with the same claims": tokens refreshed on a schedule differ only in
 * volatile claims (iat, exp, ...), so their identities share live query results.
 */
export function identityKey(identity: UserIdentity | null): string {
  if (identity === null) return "";
  const stable = Object.keys(identity)
    .sort()
    .map((key) => [key, identity[key]]);
  return JSON.stringify(stable);
}

/** The last 7 characters of a token: enough to tell tokens apart in logs, useless to an attacker. */
export function tokenTail(token: string): string {
  return `...${token.slice(-7)}`;
}
