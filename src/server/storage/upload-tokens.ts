// The token in an upload URL: its expiry time signed with a key only this server process knows,
// so checking one needs no database. A restarted server refuses the URLs of the last one; clients
// ask for an upload URL right before they upload, so none is usually outstanding. The nodes of a
// cluster derive the key from their shared node secret instead: a URL made by one node (the
// leader runs the mutation that asks for it) is POSTed to whichever node the load balancer picks.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long an upload URL stays valid. */
export const UPLOAD_URL_LIFETIME_MS = 60 * 60 * 1000;

/** Why an upload token was refused; `code` is the HTTP answer's code. */
export class UploadTokenError extends Error {
  constructor(
    readonly code: "MissingUploadToken" | "InvalidUploadToken" | "UploadUrlExpired",
    message: string,
  ) {
    super(message);
    this.name = "UploadTokenError";
  }
}

/**
 * Issues and checks upload tokens.
 *
 * @example
 * const tokens = new UploadTokens();
 * const token = tokens.issue(Date.now());
 * tokens.check(token, Date.now()); // throws an UploadTokenError when refused
 */
export class UploadTokens {
  readonly #key: Buffer;

  /** `secret`: derive the key from it (every node with the same secret accepts the same tokens). */
  constructor(secret?: string) {
    this.#key = secret === undefined || secret === "" ? randomBytes(32) : createHmac("sha256", "syncline upload tokens").update(secret).digest();
  }

  /** A token valid for `UPLOAD_URL_LIFETIME_MS` from `now`. */
  issue(now: number): string {
    const expires = (now + UPLOAD_URL_LIFETIME_MS).toString(36);
    return `${expires}.${this.#sign(expires).toString("base64url")}`;
  }

  /** Throws an `UploadTokenError` unless `token` was issued here and has not expired at `now`. */
  check(token: string | null, now: number): void {
    if (token === null || token === "") {
      throw new UploadTokenError("MissingUploadToken", "The upload URL has no token; get one from ctx.storage.generateUploadUrl().");
    }
    const [expires = "", signature = ""] = token.split(".", 2);
    const given = Buffer.from(signature, "base64url");
    const expected = this.#sign(expires);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UploadTokenError(
        "InvalidUploadToken",
        "This upload URL is not valid here (it was changed, or made before the server restarted); get a new one from ctx.storage.generateUploadUrl().",
      );
    }
    if (parseInt(expires, 36) <= now) {
      throw new UploadTokenError("UploadUrlExpired", "This upload URL has expired (they last one hour); get a new one from ctx.storage.generateUploadUrl().");
    }
  }

  #sign(expires: string): Buffer {
    return createHmac("sha256", this.#key).update(expires).digest();
  }
}
