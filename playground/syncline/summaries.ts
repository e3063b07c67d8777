import { action, internalMutation, query } from "./_generated/server";
import { internal, api } from "./_generated/api";
import { v } from "syncline/values";

/** The latest summary of a room, if any. */
export const latest = query({
  args: { room: v.string() },
  handler: (ctx, { room }) => ctx.db.query("summaries").withIndex("by_room", (q) => q.eq("room", room)).order("desc").first(),
});

/**
 * Summarizes a room. It takes a while (as a call to a language model would), runs in parallel
 * with other actions, and writes its result through an internal mutation that the page itself
 * cannot call.
 */
export const summarize = action({
  args: { room: v.string() },
  handler: async (ctx, { room }): Promise<string> => {
    console.log("summarizing", room);
    const page = await ctx.runQuery(api.messages.list, { room, paginationOpts: { numItems: 50, cursor: null } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const authors = [...new Set(page.page.map((message) => message.author))];
    const text =
      page.page.length === 0
        ? "Nobody has said anything yet."
        : `${page.page.length} recent message(s) from ${authors.join(", ")}. Latest: "${page.page[0]!.body}"`;
    await ctx.runMutation(internal.summaries.save, { room, text, messageCount: page.page.length });
    return text;
  },
});

/** Internal: only the summarize action (or the CLI) may write summaries. */
export const save = internalMutation({
  args: { room: v.string(), text: v.string(), messageCount: v.number() },
  handler: (ctx, args) => ctx.db.insert("summaries", args),
});
