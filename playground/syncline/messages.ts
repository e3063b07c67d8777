import { mutation, query } from "./_generated/server";
import { paginationOptsValidator } from "syncline/server";
import { v } from "syncline/values";

/** A room's history, newest first, a page at a time (live: new messages appear on the first page). */
export const list = query({
  args: { room: v.string(), paginationOpts: paginationOptsValidator },
  handler: (ctx, { room, paginationOpts }) => {
    console.log("listing room", room);
    return ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).order("desc").paginate(paginationOpts);
  },
});

/** Sends a message. The playground's server can be started slow (SYNCLINE_PLAYGROUND_DELAY_MS) to show optimistic updates. */
export const send = mutation({
  args: { room: v.string(), author: v.string(), body: v.string() },
  handler: async (ctx, args) => {
    simulateSlowServer();
    const body = args.body.trim();
    if (body === "") throw new Error("A message needs some text.");
    // Signed-in users post under their verified name; guests under the name they chose.
    const identity = await ctx.auth.getUserIdentity();
    const author = identity ? String(identity.name ?? identity.subject) : args.author;
    return ctx.db.insert("messages", { ...args, author, body });
  },
});

/**
 * A demo knob: `SYNCLINE_PLAYGROUND_DELAY_MS=1500 npm run playground` makes sending slow, so the
 * optimistic update (the message shows at once, greyed out) is easy to see. Mutations cannot use
 * timers (they must be deterministic), hence the busy wait; never do this in a real app.
 */
function simulateSlowServer(): void {
  const delay = Number(process.env.SYNCLINE_PLAYGROUND_DELAY_MS ?? 0);
  const until = performance.now() + delay;
  while (performance.now() < until);
}
