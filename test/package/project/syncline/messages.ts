import { query, mutation, action, internalMutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "syncline/values";

export const list = query({
  args: { room: v.string() },
  handler: (ctx, { room }) =>
    ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).order("desc").take(50),
});

export const send = mutation({
  args: { room: v.string(), body: v.string() },
  handler: (ctx, args) => ctx.db.insert("messages", args),
});

/** Internal: clients must never reach it; actions and the CLI may. */
export const wipe = internalMutation({
  args: { room: v.string() },
  handler: async (ctx, { room }) => {
    const messages = await ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).collect();
    for (const message of messages) await ctx.db.delete(message._id);
    return messages.length;
  },
});

export const shout = action({
  args: { room: v.string(), body: v.string() },
  handler: async (ctx, { room, body }): Promise<string> => {
    const wiped = await ctx.runMutation(internal.messages.wipe, { room });
    return `${body.toUpperCase()} (wiped ${wiped})`;
  },
});
