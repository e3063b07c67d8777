// @vitest-environment happy-dom
// <SynclineDevtools />: mounted only in development unless enabled, fed by the real client against
// the real server, gone without a trace when unmounted (no listener left on the client).

import { act, cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SynclineClient } from "syncline";
import { SynclineDevtools } from "syncline/devtools";
import { mountSynclineDevtools } from "syncline/devtools/dom";
import { useQuery } from "syncline/react";
import { engineOf } from "../../../src/client/client.js";
import { api } from "../../fixtures/app/syncline/_generated/api";
import { eventually, newClient, newRoom, renderWith, serverPerFile } from "./support.js";

const shared = serverPerFile();
let clients: SynclineClient[] = [];
const client = () => {
  const made = newClient(shared.server);
  clients.push(made);
  return made;
};

afterEach(async () => {
  cleanup();
  vi.unstubAllEnvs();
  localStorage.clear();
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});

const host = () => document.querySelector<HTMLElement>("[data-syncline-devtools]");
const shadow = () => host()?.shadowRoot ?? null;
/** Lets the dynamic import of the panel settle. */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 50)));

function Messages({ room }: { room: string }) {
  const messages = useQuery(api.behaviour.listRoom, { room });
  return <p>{messages?.length ?? "loading"}</p>;
}

describe("<SynclineDevtools />", () => {
  it("in development mounts the panel for the provider's client, listing its queries; unmounting removes it and its listener", async () => {
    const c = client();
    const room = newRoom();
    const view = renderWith(c, (
      <>
        <Messages room={room} />
        <SynclineDevtools initialIsOpen />
      </>
    ));
    await eventually(() => expect(shadow()?.querySelector("details.row[data-query='behaviour:listRoom'] .badge")?.textContent).toBe("success"));
    expect(host()!.parentElement).toBe(document.body);
    expect(shadow()!.querySelector("section.panel")!.hasAttribute("hidden")).toBe(false);
    expect(engineOf.get(c)!.tap).toBeDefined();
    view.unmount();
    expect(host()).toBeNull();
    expect(engineOf.get(c)!.tap).toBeUndefined();
  });

  it("in a production build renders nothing and leaves the client alone, unless enabled", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const c = client();
    const view = renderWith(c, <SynclineDevtools />);
    await settle();
    expect(host()).toBeNull();
    expect(engineOf.get(c)!.tap).toBeUndefined();
    view.rerender(<SynclineDevtools client={c} enabled />);
    await eventually(() => expect(host()).not.toBeNull());
    expect(engineOf.get(c)!.tap).toBeDefined();
  });

  it("enabled={false} shows nothing, in development too", async () => {
    const c = client();
    renderWith(c, <SynclineDevtools enabled={false} />);
    await settle();
    expect(host()).toBeNull();
    expect(engineOf.get(c)!.tap).toBeUndefined();
  });

  it("says what is missing when there is no client", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => render(<SynclineDevtools />)).toThrow("<SynclineDevtools> has no client: put it inside <SynclineProvider client={client}>, or pass client={client}.");
  });
});

describe("mountSynclineDevtools", () => {
  it("mounts inside the given element, opens and closes, remembers it, and unmounts cleanly", async () => {
    const c = client();
    const container = document.createElement("div");
    document.body.append(container);
    const devtools = mountSynclineDevtools(c, container, { storageKey: "devtools-test" });
    expect(host()!.parentElement).toBe(container);
    expect(devtools.isOpen).toBe(false);
    const toggle = shadow()!.querySelector<HTMLButtonElement>("button.toggle")!;
    expect(toggle.hidden).toBe(false);
    toggle.click();
    expect(devtools.isOpen).toBe(true);
    expect(toggle.hidden).toBe(true);
    expect(JSON.parse(localStorage.getItem("devtools-test")!)).toMatchObject({ open: true, tab: "queries" });
    devtools.close();
    expect(JSON.parse(localStorage.getItem("devtools-test")!)).toMatchObject({ open: false });
    devtools.unmount();
    devtools.unmount(); // twice is harmless
    expect(container.childElementCount).toBe(0);
    expect(engineOf.get(c)!.tap).toBeUndefined();
    container.remove();
  });

  it("starts from what storage remembers, and from the defaults when it holds garbage", () => {
    const c = client();
    localStorage.setItem("syncline-devtools", JSON.stringify({ open: true, height: 400, tab: "logs" }));
    const remembered = mountSynclineDevtools(c);
    expect(remembered.isOpen).toBe(true);
    expect(shadow()!.querySelector("[role=tab][aria-selected=true]")!.id).toBe("tab-logs");
    expect(shadow()!.querySelector<HTMLElement>("section.panel")!.style.height).toBe("400px");
    remembered.unmount();
    localStorage.setItem("syncline-devtools", "{not json");
    const fresh = mountSynclineDevtools(c, undefined, { initialIsOpen: true });
    expect(fresh.isOpen).toBe(true);
    expect(shadow()!.querySelector("[role=tab][aria-selected=true]")!.id).toBe("tab-queries");
    fresh.unmount();
    localStorage.setItem("syncline-devtools", JSON.stringify({ open: "yes", height: "tall", tab: "nope" }));
    const defaults = mountSynclineDevtools(c);
    expect(defaults.isOpen).toBe(false);
    expect(shadow()!.querySelector("[role=tab][aria-selected=true]")!.id).toBe("tab-queries");
    expect(shadow()!.querySelector<HTMLElement>("section.panel")!.style.height).toBe("320px");
    defaults.unmount();
  });
});
