// The playground's file functions, tested with `syncline/testing`: a file is stored with
// `t.storage` (as an upload would), then saved, listed and removed through the functions.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { FUNCTIONS_DIR } from "./functions-folder";
import { api } from "../syncline/_generated/api";
import type { DataModel } from "../syncline/_generated/dataModel";

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: FUNCTIONS_DIR });
});
afterEach(() => t.close());

describe("files", () => {
  it("hands out upload URLs", async () => {
    expect(await t.mutation(api.files.generateUploadUrl)).toMatch(/\/api\/storage\/upload\?token=/);
  });

  it("lists saved files with their URL and metadata, newest first", async () => {
    const notes = await t.storage.store(new Blob(["hello"], { type: "text/plain" }));
    const image = await t.storage.store(new Blob([new Uint8Array(3)], { type: "image/png" }));
    await t.mutation(api.files.save, { storageId: notes, name: "notes.txt" });
    await t.mutation(api.files.save, { storageId: image, name: "dot.png" });
    const listed = await t.query(api.files.list);
    expect(listed).toMatchObject([
      { name: "dot.png", size: 3, contentType: "image/png" },
      { name: "notes.txt", size: 5, contentType: "text/plain" },
    ]);
    expect(listed[0]!.url).toMatch(/^http/);
  });

  it("removes the row and the stored file together, and a second remove does nothing", async () => {
    const storageId = await t.storage.store(new Blob(["bye"]));
    const id = await t.mutation(api.files.save, { storageId, name: "bye.txt" });
    await t.mutation(api.files.remove, { id });
    expect(await t.query(api.files.list)).toEqual([]);
    expect(await t.storage.get(storageId)).toBeNull();
    await t.mutation(api.files.remove, { id });
  });
});
