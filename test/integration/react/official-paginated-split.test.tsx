// @vitest-environment happy-dom
// The official `usePaginatedQuery` (convex/react) against the Syncline server: when documents
// land inside a loaded page and it grows past twice its size, the server answers
// `pageStatus: "SplitRecommended"` with a `splitCursor`, and the official client replaces the
// page by two queries ending and starting at that cursor - without losing or repeating an item.

import { cleanup, render } from "@testing-library/react";
import { ConvexProvider, ConvexReactClient, usePaginatedQuery } from "convex/react";
import { anyApi } from "convex/server";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer } from "syncline/server";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { tempProject } from "../../helpers/temp-project.js";
import { testDatabase } from "../../helpers/test-database.js";
import { eventually } from "./support.js";

const cleanups = cleanupAfterEach();
afterEach(cleanup);

const FEED_TS = `import { mutation, query } from "syncline/server";
import { paginationOptsValidator } from "syncline/server";
import { v } from "syncline/values";
export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) => await ctx.db.query("items").order("desc").paginate(paginationOpts),
});
export const add = mutation({
  args: { n: v.number() },
  handler: async (ctx, { n }) => { await ctx.db.insert("items", { n }); },
});
`;

/** Every message the client sends, as parsed JSON. */
const sent: { type: string; modifications?: { type: string; args?: { paginationOpts?: Record<string, unknown> }[] }[] }[] = [];
class RecordingSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === "string") sent.push(JSON.parse(data) as (typeof sent)[number]);
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

describe("official usePaginatedQuery", () => {
  it("splits a page that grew past twice its size, on the server's recommendation", async () => {
    const project = tempProject({ "feed.ts": FEED_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());
    const client = new ConvexReactClient(server.url, { webSocketConstructor: RecordingSocket as never, unsavedChangesWarning: false, logger: false });
    cleanups.push(() => client.close());
    const api = anyApi.feed!;
    for (let n = 1; n <= 4; n++) await client.mutation(api.add!, { n });

    const seen: number[][] = [];
    function Feed() {
      const { results } = usePaginatedQuery(api.list!, {}, { initialNumItems: 2 });
      seen.push(results.map((item: { n: number }) => item.n));
      return null;
    }
    render(
      <ConvexProvider client={client}>
        <Feed />
      </ConvexProvider>,
    );
    await eventually(() => expect(seen.at(-1)).toEqual([4, 3]));

    // Newest first: new items land inside the first page, which grows from 2 to 7 items.
    for (let n = 5; n <= 9; n++) await client.mutation(api.add!, { n });
    await eventually(() => expect(seen.at(-1)).toEqual([9, 8, 7, 6, 5, 4, 3]));
    // The client asked for the two halves: one page ending at the split cursor, one starting there.
    await eventually(() => {
      const options = sent.flatMap((message) => (message.modifications ?? []).filter((m) => m.type === "Add").map((m) => m.args?.[0]?.paginationOpts ?? {}));
      const ending = options.find((o) => o.cursor === null && typeof o.endCursor === "string");
      expect(ending).toBeDefined();
      expect(options.some((o) => o.cursor === ending!.endCursor && typeof o.endCursor === "string")).toBe(true);
    });
    expect(seen.at(-1)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  });
});
