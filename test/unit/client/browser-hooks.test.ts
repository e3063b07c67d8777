// What the client does with browser globals, with a fake window and document.

import { afterEach, describe, expect, it } from "vitest";
import { watchUnsavedChanges } from "../../../src/client/unsaved-changes.js";
import { watchNetworkRecovery } from "../../../transport/network-recovery.js";

const globals = globalThis as { window?: EventTarget; document?: EventTarget & { visibilityState?: string } };
afterEach(() => {
  delete globals.window;
  delete globals.document;
});

describe("watchNetworkRecovery", () => {
  it("reports `online`, and a page that becomes visible after being hidden", () => {
    globals.window = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
    globals.document = doc;
    const hints: string[] = [];
    const stop = watchNetworkRecovery((hint) => hints.push(hint));
    globals.window.dispatchEvent(new Event("online"));
    doc.dispatchEvent(new Event("visibilitychange")); // visible -> visible: nothing
    doc.visibilityState = "hidden";
    doc.dispatchEvent(new Event("visibilitychange"));
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    expect(hints).toEqual(["online", "visible"]);
    stop();
    globals.window.dispatchEvent(new Event("online"));
    expect(hints).toEqual(["online", "visible"]);
  });

  it("does nothing outside a browser", () => {
    const stop = watchNetworkRecovery(() => {
      throw new Error("never");
    });
    stop();
  });
});

describe("watchUnsavedChanges", () => {
  it("asks before unloading only while something is unsaved, and can be removed", () => {
    globals.window = new EventTarget();
    let unsaved = false;
    const remove = watchUnsavedChanges(undefined, () => unsaved);
    const unload = () => {
      const event = new Event("beforeunload", { cancelable: true });
      globals.window!.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(false);
    unsaved = true;
    expect(unload()).toBe(true);
    remove!();
    expect(unload()).toBe(false);
  });

  it("is off when asked, and an error when requested without a window", () => {
    globals.window = new EventTarget();
    expect(watchUnsavedChanges(false, () => true)).toBeUndefined();
    delete globals.window;
    expect(watchUnsavedChanges(undefined, () => true)).toBeUndefined();
    expect(() => watchUnsavedChanges(true, () => true)).toThrow(/needs a browser window/);
  });
});
