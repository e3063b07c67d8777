import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";

/** The room's 50 newest messages, newest first. Live: clients get every change. */
export const list = query({
  args: { room: v.string() },
  handler: (ctx, { room }) =>
    ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).order("desc").take(50),
});

/** Adds a message; returns its id. */
export const send = mutation({
  args: { room: v.string(), body: v.string() },
  handler: (ctx, args) => ctx.db.insert("messages", args),
});
