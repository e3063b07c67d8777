// @vitest-environment happy-dom
// The playground's task list component, tested two ways with `syncline/testing/react`: with
// results set by hand (no functions run), and against the real functions in this process.
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { syncTest } from "syncline/testing";
import { createTestClient, SynclineTestProvider } from "syncline/testing/react";
import { FUNCTIONS_DIR } from "./functions-folder";
import { api } from "../syncline/_generated/api";
import type { DataModel, Doc, Id } from "../syncline/_generated/dataModel";
import { Tasks } from "../src/Tasks";

afterEach(cleanup);

const task = (id: string, text: string, done = false): Doc<"tasks"> => ({ _id: id as Id<"tasks">, _creationTime: 0, text, done, position: Number(id) });
const shownTasks = () => within(screen.getByTestId("tasks")).queryAllByRole("listitem").map((item) => item.textContent?.replace(/[↑↓]/g, "").trim());

describe("Tasks with results set by hand", () => {
  it("shows loading, then the tasks; a click calls toggle with the task's id", async () => {
    const client = createTestClient();
    render(
      <SynclineTestProvider client={client}>
        <Tasks />
      </SynclineTestProvider>,
    );
    expect(screen.getByText("Loading…")).toBeTruthy();
    act(() => client.setQueryResult(api.tasks.list, {}, [task("1", "write tests"), task("2", "ship", true)]));
    await screen.findByTestId("tasks");
    expect(shownTasks()).toEqual(["write tests", "ship"]);
    fireEvent.click(screen.getByRole("checkbox", { name: /ship/ }));
    expect((await client.waitForMutationCall(api.tasks.toggle)).args).toEqual({ id: "2" });
    await client.close();
  });

  it("adds the trimmed text and ignores an empty one", async () => {
    const client = createTestClient();
    client.setQueryResult(api.tasks.list, {}, []);
    render(
      <SynclineTestProvider client={client}>
        <Tasks />
      </SynclineTestProvider>,
    );
    fireEvent.change(screen.getByLabelText("New task"), { target: { value: "   " } });
    fireEvent.click(screen.getByText("Add"));
    fireEvent.change(screen.getByLabelText("New task"), { target: { value: "  buy milk " } });
    fireEvent.click(screen.getByText("Add"));
    await client.waitForMutationCall(api.tasks.add);
    expect(client.mutationCalls(api.tasks.add).map((call) => call.args)).toEqual([{ text: "buy milk" }]);
    await client.close();
  });
});

describe("Tasks against the real functions", () => {
  it("adds, toggles and reorders tasks, live", async () => {
    const t = await syncTest<DataModel>({ dir: FUNCTIONS_DIR });
    await t.mutation(api.tasks.add, { text: "seeded" });
    render(
      <SynclineTestProvider runtime={t}>
        <Tasks />
      </SynclineTestProvider>,
    );
    await screen.findByText("seeded");
    fireEvent.change(screen.getByLabelText("New task"), { target: { value: "from the form" } });
    fireEvent.click(screen.getByText("Add"));
    await screen.findByText("from the form");
    fireEvent.click(screen.getAllByRole("button", { name: "Move up" })[1]!);
    await expect.poll(shownTasks).toEqual(["from the form", "seeded"]);
    fireEvent.click(screen.getByRole("checkbox", { name: /seeded/ }));
    await expect.poll(async () => (await t.query(api.tasks.list)).find((x) => x.text === "seeded")?.done).toBe(true);
    await t.close();
  });
});
