import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";

export default defineSchema({
  messages: defineTable({ room: v.string(), body: v.string() }).index("by_room", ["room"]),
});
