// Convex apps throw `ConvexError` from "convex/values"; after rewriting that import to
// "syncline/values" the app runs unchanged. `ConvexError` and `AppError` are one class with two
// names: a function throwing either reaches our client as an error that is an instance of both,
// and the official client as its own ConvexError with the same data (the wire is the same).

import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError as OfficialConvexError } from "convex/values";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer } from "syncline/server";
import { AppError, ConvexError, isAppError } from "syncline/values";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const ORDERS_TS = `import { mutation } from "syncline/server";
import { ConvexError, v } from "syncline/values";
export const buy = mutation({
  args: { item: v.string() },
  handler: async (_ctx, { item }) => {
    throw new ConvexError({ code: "OUT_OF_STOCK", item, left: 0n });
  },
});
`;

const buy = makeFunctionReference<"mutation", { item: string }, null>("mutation", "orders:buy");

describe("ConvexError", () => {
  it("is AppError under another name, both ways", () => {
    const error = new ConvexError({ code: "X" });
    expect(error).toBeInstanceOf(AppError);
    expect(new AppError("y")).toBeInstanceOf(ConvexError);
    expect(isAppError(error)).toBe(true);
    expect(error.data).toEqual({ code: "X" });
  });

  it("thrown by a function, reaches our client and the official one with its data", async () => {
    const project = tempProject({ "orders.ts": ORDERS_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());

    const ours = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => ours.close());
    const caught = await ours.mutation(buy, { item: "lamp" }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(ConvexError);
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as ConvexError).data).toEqual({ code: "OUT_OF_STOCK", item: "lamp", left: 0n });

    const official = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
    cleanups.push(() => official.close());
    const theirs = await official.mutation(anyApi.orders!.buy!, { item: "lamp" }).catch((error: unknown) => error);
    expect(theirs).toBeInstanceOf(OfficialConvexError);
    expect((theirs as { data: unknown }).data).toEqual({ code: "OUT_OF_STOCK", item: "lamp", left: 0n });
  });
});
