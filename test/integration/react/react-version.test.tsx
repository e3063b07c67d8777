// Which React the hook tests run on: `npm test` runs them on React 19 and again on React 18.
import { version } from "react";
import { expect, it } from "vitest";

it("runs on the React version this configuration asked for", () => {
  const expected = process.env.SYNCLINE_EXPECT_REACT ?? "19";
  expect(version.split(".")[0]).toBe(expected);
});
