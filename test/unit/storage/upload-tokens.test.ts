// Upload tokens and the Range header parser: small pieces with sharp edges.

import { describe, expect, it } from "vitest";
import { UPLOAD_URL_LIFETIME_MS, UploadTokenError, UploadTokens } from "../../../src/server/storage/upload-tokens.js";
import { parseRange } from "../../../src/server/http/storage-routes.js";

const codeOf = (check: () => void): string | undefined => {
  try {
    check();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UploadTokenError);
    return (error as UploadTokenError).code;
  }
};

describe("UploadTokens", () => {
  const now = 1_800_000_000_000;

  it("accepts its own tokens until they expire", () => {
    const tokens = new UploadTokens();
    const token = tokens.issue(now);
    expect(codeOf(() => tokens.check(token, now + UPLOAD_URL_LIFETIME_MS - 1))).toBeUndefined();
    expect(codeOf(() => tokens.check(token, now + UPLOAD_URL_LIFETIME_MS))).toBe("UploadUrlExpired");
  });

  it("refuses missing, malformed, altered and foreign tokens", () => {
    const tokens = new UploadTokens();
    const token = tokens.issue(now);
    const [expires, signature] = token.split(".");
    expect(codeOf(() => tokens.check(null, now))).toBe("MissingUploadToken");
    expect(codeOf(() => tokens.check("", now))).toBe("MissingUploadToken");
    expect(codeOf(() => tokens.check("garbage", now))).toBe("InvalidUploadToken");
    expect(codeOf(() => tokens.check(`${expires}`, now))).toBe("InvalidUploadToken");
    expect(codeOf(() => tokens.check(`zzzzzzzzz.${signature}`, now))).toBe("InvalidUploadToken"); // a later expiry
    expect(codeOf(() => tokens.check(`${expires}.${signature!.slice(1)}`, now))).toBe("InvalidUploadToken");
    expect(codeOf(() => new UploadTokens().check(token, now))).toBe("InvalidUploadToken");
  });

  it("with a shared secret, every holder of it accepts the others' tokens (a cluster's nodes); another secret does not", () => {
    const token = new UploadTokens("node secret").issue(now);
    expect(codeOf(() => new UploadTokens("node secret").check(token, now))).toBeUndefined();
    expect(codeOf(() => new UploadTokens("another secret").check(token, now))).toBe("InvalidUploadToken");
    expect(codeOf(() => new UploadTokens().check(token, now))).toBe("InvalidUploadToken");
    // An empty secret is no secret: a random key, never one derived from "".
    expect(codeOf(() => new UploadTokens("").check(new UploadTokens("").issue(now), now))).toBe("InvalidUploadToken");
  });
});

describe("parseRange", () => {
  it("reads one bytes range, clamped to the file", () => {
    expect(parseRange("bytes=0-0", 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange("bytes=2-100", 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange("bytes=4-", 10)).toEqual({ start: 4, end: 9 });
    expect(parseRange("bytes=-4", 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange("bytes=-40", 10)).toEqual({ start: 0, end: 9 });
  });

  it("ignores what it does not understand and refuses ranges outside the file", () => {
    for (const header of [undefined, "", "bytes=-", "bytes=5-2", "bytes=0-1,3-4", "items=0-1"]) expect(parseRange(header, 10)).toBeUndefined();
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
  });
});
