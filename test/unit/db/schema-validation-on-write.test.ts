// Schema validation of v.id (refusing ids of other tables), v.record keyed by
// v.id, v.int64 versus number, bytes, unions of literals, and a patch that removes a required
// field - each refused with nothing written.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { rejection, seed, testDb } from "./helpers.js";

const schema = defineSchema({
  users: defineTable({ name: v.string() }),
  posts: defineTable({
    author: v.id("users"),
    likes: v.optional(v.record(v.id("users"), v.boolean())),
    views: v.int64(),
    status: v.union(v.literal("draft"), v.literal("live")),
    cover: v.optional(v.bytes()),
  }),
});

describe("schema validation on write", () => {
  it("checks ids, record keys, int64, bytes and literal unions, and writes nothing on failure", async () => {
    const db = await testDb();
    await db.setSchema(schema);
    const [user] = await seed(db, "users", [{ name: "ada" }]);
    const [post] = await seed(db, "posts", [{ author: user, views: 0n, status: "draft", likes: { [user!]: true }, cover: new ArrayBuffer(2) }]);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ author: post, views: 0n, status: "draft" }, /author: expected an id of table "users"/],
      [{ author: user, views: 0n, status: "draft", likes: { [post!]: true } }, /likes\.posts_\w+: key "posts_\w+" does not match the record's key validator/],
      [{ author: user, views: 0, status: "draft" }, /views: expected int64 \(bigint\), got number/],
      [{ author: user, views: 0n, status: "gone" }, /status: expected "draft" \| "live", got string/],
      [{ author: user, views: 0n, status: "draft", cover: new Uint8Array(2) }, /cover/],
    ];
    for (const [doc, message] of bad) {
      expect((await rejection(db.write((tx) => tx.db.insert("posts", doc as never)))).message).toMatch(message);
    }
    expect((await rejection(db.write((tx) => tx.db.patch(post!, { views: undefined } as never)))).message).toMatch(/views: missing required field/);
    const { result } = await db.read(async (tx) => [(await tx.db.query("posts").collect()).length, (await tx.db.get(post!))!.views]);
    expect(result).toEqual([1, 0n]);
  });
});
