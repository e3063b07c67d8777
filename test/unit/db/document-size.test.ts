// The 1 MiB document limit measures the document, not its storage text (JSON escapes grow some
// strings sixfold, base64 grows bytes by a third). protocol.md §11.2 allows "strings and bytes
// < 1 MiB; a document <= 1 MiB", and the functions documentation says bytestrings "must be
// smaller than the 1MB total size limit": a document holding one such value must be storable.

import { describe, expect, it } from "vitest";
import { seed, testDb } from "./helpers.js";

describe("the document size limit counts the document, not its JSON text", () => {
  it("stores a document whose only field is 800,000 bytes (under 1 MiB)", async () => {
    const db = await testDb();
    const bytes = new Uint8Array(800_000).fill(7).buffer;
    const [id] = await seed(db, "files", [{ data: bytes }]);
    const { result } = await db.read((tx) => tx.db.get(id!));
    expect((result!.data as ArrayBuffer).byteLength).toBe(800_000);
  });

  it("stores a document whose only field is a 200,000-character string of control characters (200 KB of UTF-8)", async () => {
    const db = await testDb();
    const text = "\u0001".repeat(200_000); // 200,000 bytes of UTF-8; 1,200,000 bytes as JSON ("\u0001" each)
    const [id] = await seed(db, "notes", [{ text }]);
    const { result } = await db.read((tx) => tx.db.get(id!));
    expect((result!.text as string).length).toBe(200_000);
  });
});
