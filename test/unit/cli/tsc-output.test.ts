import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countFunctionsFiles } from "../../../src/cli/typecheck/tsc-output.js";

describe("countFunctionsFiles", () => {
  it("counts the functions folder's files in tsc's --listFiles output, not _generated/, the app, libraries or diagnostics", () => {
    const dir = join("/app", "syncline");
    const output = [
      "/app/node_modules/typescript/lib/lib.es2023.d.ts",
      "/app/node_modules/syncline/dist/server.d.ts",
      join(dir, "_generated/api.ts"),
      join(dir, "messages.ts"),
      join(dir, "nested/deeper.ts"),
      "/app/src/page.tsx",
      "/app/synclinex/other.ts", // a sibling whose name starts the same
      "syncline/messages.ts(4,9): error TS2322: Type 'string' is not assignable to type 'number'.",
      "",
    ].join("\n");
    expect(countFunctionsFiles(output, dir)).toBe(2);
    expect(countFunctionsFiles("", dir)).toBe(0);
  });
});
