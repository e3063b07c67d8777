import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";

export const list = query({
  args: {},
  handler: (ctx) => ctx.db.query("tasks").withIndex("by_position").collect(),
});

export const add = mutation({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const last = await ctx.db.query("tasks").withIndex("by_position").order("desc").first();
    return ctx.db.insert("tasks", { text, done: false, position: (last?.position ?? 0) + 1 });
  },
});

export const toggle = mutation({
  args: { id: v.id("tasks") },
  handler: async (ctx, { id }) => {
    const task = await ctx.db.get(id);
    if (task === null) throw new Error("That task is gone.");
    await ctx.db.patch(id, { done: !task.done });
  },
});

/** Moves a task one place up or down by swapping positions with its neighbour. */
export const move = mutation({
  args: { id: v.id("tasks"), direction: v.union(v.literal("up"), v.literal("down")) },
  handler: async (ctx, { id, direction }) => {
    const task = await ctx.db.get(id);
    if (task === null) return;
    const neighbour = await ctx.db
      .query("tasks")
      .withIndex("by_position", (q) => (direction === "up" ? q.lt("position", task.position) : q.gt("position", task.position)))
      .order(direction === "up" ? "desc" : "asc")
      .first();
    if (neighbour === null) return;
    await ctx.db.patch(id, { position: neighbour.position });
    await ctx.db.patch(neighbour._id, { position: task.position });
  },
});
