// @vitest-environment happy-dom
// A hook given a misspelled api path (plain JavaScript, a stale `_generated/`) fails the render
// with the path and the closest existing one, before anything is subscribed or sent.

import { cleanup, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SynclineProvider, useAction, useMutation, usePaginatedQuery, useQuery } from "syncline/react";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { newClient, serverPerFile } from "./support.js";

const shared = serverPerFile();
afterEach(cleanup);

// What plain JavaScript reaches for: names the types would refuse.
const loose = api as unknown as Record<string, Record<string, never>>;

function renderError(hook: () => unknown): string {
  const client = newClient(shared.server);
  const wrapper = ({ children }: { children: ReactNode }) => <SynclineProvider client={client}>{children}</SynclineProvider>;
  const quiet = vi.spyOn(console, "error").mockImplementation(() => {}); // React reports the render error too
  try {
    renderHook(hook, { wrapper });
  } catch (error) {
    return (error as Error).message;
  } finally {
    quiet.mockRestore();
    void client.close();
  }
  throw new Error("rendered");
}

describe("hooks given a misspelled api path", () => {
  it("name it and the closest existing path", () => {
    expect(renderError(() => useQuery(loose.myFunctions!.summ!, { a: 1, b: 2 } as never))).toBe("api.myFunctions.summ does not exist; did you mean api.myFunctions.sum?");
    expect(renderError(() => useMutation(loose.myFunctions!.createTsk!))).toBe(
      "api.myFunctions.createTsk does not exist; did you mean api.myFunctions.createTask?",
    );
    expect(renderError(() => useAction(loose.change!.upgrade!))).toBe("api.change.upgrade does not exist; did you mean api.changes.upgrade?");
    expect(renderError(() => usePaginatedQuery(loose.behaviour!.pagedd!, {}, { initialNumItems: 5 }))).toBe("api.behaviour.pagedd does not exist; did you mean api.behaviour.paged?");
  });
});
