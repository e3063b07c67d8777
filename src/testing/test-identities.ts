// Identities of a test runtime. `withIdentity` takes a few claims and completes them into the
// identity a verified token would give; a client connected in-process authenticates with a
// token minted here, which the runtime's verifier maps back to that identity. Any other token
// is checked as the real server checks it (the functions' auth.config.ts).

import { randomUUID } from "node:crypto";
import type { UserIdentity } from "../server/define/context.js";
import type { AuthConfig } from "../server/auth/config.js";
import { TokenVerifier, type VerifiedToken } from "../server/auth/verifier.js";

/** The claims a test gives `withIdentity`; `issuer`, `subject` and `tokenIdentifier` are filled in when missing. */
export type TestIdentity = Partial<UserIdentity>;

/** The issuer of test identities that name none. */
export const TEST_ISSUER = "https://syncline.test";

let anonymousSubjects = 0;

/**
 * The full identity for `claims`: issuer `https://syncline.test` and a fresh subject unless
 * given, `tokenIdentifier` = `<issuer>|<subject>` unless given.
 *
 * @example
 * completeIdentity({ name: "Ada" }) // { issuer: "https://syncline.test", subject: "test-user-1", tokenIdentifier: "https://syncline.test|test-user-1", name: "Ada" }
 */
export function completeIdentity(claims: TestIdentity): UserIdentity {
  const issuer = claims.issuer ?? TEST_ISSUER;
  const subject = claims.subject ?? `test-user-${++anonymousSubjects}`;
  return { ...claims, issuer, subject, tokenIdentifier: claims.tokenIdentifier ?? `${issuer}|${subject}` };
}

/** The verifier of a test runtime: its own minted tokens, then the real providers. */
export class TestTokenVerifier extends TokenVerifier {
  readonly #minted = new Map<string, UserIdentity>();

  constructor(config: AuthConfig | undefined) {
    super(config);
  }

  /** A token standing for `identity` on this runtime only (it never expires). */
  mint(identity: UserIdentity): string {
    const token = `syncline-test-token-${randomUUID()}`;
    this.#minted.set(token, identity);
    return token;
  }

  override async verify(token: string): Promise<VerifiedToken> {
    const identity = this.#minted.get(token);
    if (identity !== undefined) return { identity, expiresAt: undefined };
    return super.verify(token);
  }
}
