// Compile-time tests: inspectClient's events narrow by `type`, and the devtools' props and
// handles are typed (no `any` leaks into user code).
import { inspectClient, type ClientEvent, type InspectedAuth, type SynclineClient } from "syncline";
import type { Value } from "syncline/values";
import { SynclineDevtools, type SynclineDevtoolsProps } from "syncline/devtools";
import { mountSynclineDevtools, type SynclineDevtoolsHandle } from "syncline/devtools/dom";
import { expectTrue, type Equal } from "./helpers";

declare const client: SynclineClient;

const stop = inspectClient(client, (event) => {
  if (event.type === "log") expectTrue<Equal<typeof event.level, "debug" | "info" | "log" | "warn" | "error">>();
  if (event.type === "requestSettled") {
    if (event.ok) expectTrue<Equal<typeof event.value, Value>>();
    else expectTrue<Equal<typeof event.error, string>>();
  }
  if (event.type === "auth") expectTrue<Equal<typeof event.auth, InspectedAuth>>();
  if (event.type === "snapshot") expectTrue<Equal<typeof event.queries[number]["args"], Value>>();
  // @ts-expect-error a log line has no result
  if (event.type === "log") void event.result;
});
expectTrue<Equal<typeof stop, () => void>>();
expectTrue<Equal<ClientEvent["at"], number>>();

// @ts-expect-error the listener gets events, not strings
inspectClient(client, (event: string) => event);

const handle = mountSynclineDevtools(client, document.body, { initialIsOpen: true, storageKey: null });
expectTrue<Equal<typeof handle, SynclineDevtoolsHandle>>();
expectTrue<Equal<SynclineDevtoolsProps["enabled"], boolean | undefined>>();
void (<SynclineDevtools enabled initialIsOpen client={client} />);
// @ts-expect-error initialIsOpen is a boolean
void (<SynclineDevtools initialIsOpen="yes" />);
