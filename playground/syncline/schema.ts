import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";

export default defineSchema({
  messages: defineTable({ room: v.string(), author: v.string(), body: v.string() }).index("by_room", ["room"]),
  summaries: defineTable({ room: v.string(), text: v.string(), messageCount: v.number() }).index("by_room", ["room"]),
  // Newest first is the default index (`_creationTime`) read backwards: no index of its own needed.
  files: defineTable({ storageId: v.id("_storage"), name: v.string() }),
  tasks: defineTable({ text: v.string(), done: v.boolean(), position: v.number() }).index("by_position", ["position"]),
});
