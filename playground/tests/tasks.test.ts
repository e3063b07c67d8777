// The playground's task list functions, tested with `syncline/testing`.
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

const texts = async () => (await t.query(api.tasks.list)).map((task) => `${task.done ? "[x]" : "[ ]"} ${task.text}`);

describe("tasks", () => {
  it("adds tasks at the end of the list", async () => {
    await t.mutation(api.tasks.add, { text: "write tests" });
    await t.mutation(api.tasks.add, { text: "ship" });
    expect(await texts()).toEqual(["[ ] write tests", "[ ] ship"]);
  });

  it("toggles a task, and says so when it is gone", async () => {
    const id = await t.mutation(api.tasks.add, { text: "write tests" });
    await t.mutation(api.tasks.toggle, { id });
    expect(await texts()).toEqual(["[x] write tests"]);
    await t.mutation(api.tasks.toggle, { id });
    expect(await texts()).toEqual(["[ ] write tests"]);
    await t.run((ctx) => ctx.db.delete(id));
    await expect(t.mutation(api.tasks.toggle, { id })).rejects.toThrow("That task is gone.");
  });

  it("moves a task up and down by swapping with its neighbour, and stays put at the ends", async () => {
    const a = await t.mutation(api.tasks.add, { text: "a" });
    await t.mutation(api.tasks.add, { text: "b" });
    const c = await t.mutation(api.tasks.add, { text: "c" });
    await t.mutation(api.tasks.move, { id: c, direction: "up" });
    expect(await texts()).toEqual(["[ ] a", "[ ] c", "[ ] b"]);
    await t.mutation(api.tasks.move, { id: a, direction: "up" });
    await t.mutation(api.tasks.move, { id: a, direction: "down" });
    expect(await texts()).toEqual(["[ ] c", "[ ] a", "[ ] b"]);
  });

  it("refuses an id of another table", async () => {
    const file = await t.run(async (ctx) => ctx.db.insert("summaries", { room: "r", text: "t", messageCount: 0 }));
    await expect(t.mutation(api.tasks.toggle, { id: file as never })).rejects.toThrow(/ArgumentValidationError/);
  });
});
