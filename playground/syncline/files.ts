import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";

/** Step one of an upload: the page POSTs the file to this URL and gets a storage id back. */
export const generateUploadUrl = mutation({
  args: {},
  handler: (ctx) => ctx.storage.generateUploadUrl(),
});

/** Step two: remembers the uploaded file under the name it had on the user's disk. */
export const save = mutation({
  args: { storageId: v.id("_storage"), name: v.string() },
  handler: (ctx, args) => ctx.db.insert("files", args),
});

/** Every file, newest first, with its URL and the metadata the server recorded at upload. */
export const list = query({
  args: {},
  handler: async (ctx) => {
    const files = await ctx.db.query("files").order("desc").collect();
    return Promise.all(
      files.map(async (file) => {
        const stored = await ctx.db.system.get(file.storageId);
        return {
          _id: file._id,
          name: file.name,
          // Null if the stored file is gone, so the page can say so instead of showing a broken link.
          url: await ctx.storage.getUrl(file.storageId),
          size: stored?.size ?? null,
          contentType: stored?.contentType ?? null,
        };
      }),
    );
  },
});

/** Deletes the row and its stored file in one transaction: neither outlives the other. */
export const remove = mutation({
  args: { id: v.id("files") },
  handler: async (ctx, { id }) => {
    const file = await ctx.db.get(id);
    // Deleted already (a double click, or another tab): nothing left to do.
    if (file === null) return;
    await ctx.db.delete(id);
    await ctx.storage.delete(file.storageId);
  },
});
