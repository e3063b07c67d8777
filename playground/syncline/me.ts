import { query } from "./_generated/server";

/** Who the server thinks is calling, and how many messages they sent. */
export const whoami = query({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) return null;
    const name = String(identity.name ?? identity.subject);
    let sent = 0;
    for await (const message of ctx.db.query("messages")) if (message.author === name) sent++;
    return { name, subject: identity.subject, sent };
  },
});
