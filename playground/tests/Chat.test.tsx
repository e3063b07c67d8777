// @vitest-environment happy-dom
// The playground's chat against the real functions in this process: a paginated live list,
// an optimistic send, and messages other users send arriving while it is shown.
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { SynclineTestProvider } from "syncline/testing/react";
import { FUNCTIONS_DIR } from "./functions-folder";
import { api } from "../syncline/_generated/api";
import type { DataModel } from "../syncline/_generated/dataModel";
import { Chat } from "../src/Chat";

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: FUNCTIONS_DIR });
});
afterEach(async () => {
  cleanup();
  await t.close();
});

const shown = () => within(screen.getByTestId("messages")).queryAllByRole("listitem").map((item) => item.textContent);

it("shows the room newest first, sends, and receives other users' messages live", async () => {
  await t.mutation(api.messages.send, { room: "general", author: "bo", body: "welcome" });
  render(
    <SynclineTestProvider runtime={t}>
      <Chat guestName="ann" />
    </SynclineTestProvider>,
  );
  await screen.findByText("welcome");
  fireEvent.change(screen.getByLabelText("Message"), { target: { value: "hi bo" } });
  fireEvent.click(screen.getByText("Send"));
  await expect.poll(shown).toEqual(["ann hi bo", "bo welcome"]);
  await act(() => t.withIdentity({ name: "Cy" }).mutation(api.messages.send, { room: "general", author: "", body: "hello all" }));
  await expect.poll(shown).toEqual(["Cy hello all", "ann hi bo", "bo welcome"]);
  // Another room has its own history.
  fireEvent.click(screen.getByText("#random"));
  await expect.poll(shown).toEqual([]);
  expect(screen.queryByText("hello all")).toBeNull();
});
