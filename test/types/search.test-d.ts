// Compile-time tests: search and vector indexes from the schema type `withSearchIndex` and
// `ctx.vectorSearch`: only the index's search field, its filter fields with their value types,
// and its names are accepted.
import { defineSchema, defineTable, type DataModelFromSchemaDefinition, type GenericActionCtx, type GenericQueryCtx } from "syncline/server";
import { v, type Id } from "syncline/values";
import { expectTrue, type Equal } from "./helpers";

const schema = defineSchema({
  messages: defineTable({ body: v.string(), channel: v.string(), likes: v.number(), embedding: v.array(v.float64()) })
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel", "likes"] })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["channel"] }),
});
type DM = DataModelFromSchemaDefinition<typeof schema>;
declare const qctx: GenericQueryCtx<DM>;
declare const actx: GenericActionCtx<DM>;

export async function search() {
  const found = await qctx.db
    .query("messages")
    .withSearchIndex("search_body", (q) => q.search("body", "hi").eq("channel", "general").eq("likes", 3))
    .take(10);
  expectTrue<Equal<(typeof found)[number]["body"], string>>();
  // @ts-expect-error not a search index
  qctx.db.query("messages").withSearchIndex("by_embedding", (q) => q.search("body", "hi"));
  // @ts-expect-error not the search field
  qctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("channel", "hi"));
  // @ts-expect-error not a filter field
  qctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "hi").eq("body", "x"));
  // @ts-expect-error a filter value of the wrong type
  qctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "hi").eq("likes", "3"));
  // @ts-expect-error search results come in relevance order
  qctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "hi")).order("desc");
}

export async function vectorSearch() {
  const results = await actx.vectorSearch("messages", "by_embedding", { vector: [1, 2, 3], limit: 5, filter: (q) => q.or(q.eq("channel", "a"), q.eq("channel", "b")) });
  expectTrue<Equal<typeof results, { _id: Id<"messages">; _score: number }[]>>();
  // @ts-expect-error not a vector index
  await actx.vectorSearch("messages", "search_body", { vector: [1, 2, 3] });
  // @ts-expect-error not a filter field of the vector index
  await actx.vectorSearch("messages", "by_embedding", { vector: [1, 2, 3], filter: (q) => q.eq("likes", 1) });
}
