// Whether a render runs on the server. No hook may open a socket there, and none has to check:
// they all subscribe through useSyncExternalStore, which React never subscribes on the server (it
// reads the server snapshot instead). A hook that must act during render asks the same question
// the same way.

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};
const inBrowser = () => false;
const onServer = () => true;

/** True while React renders on the server (and while it hydrates the server's HTML). */
export function useIsServerRendering(): boolean {
  return useSyncExternalStore(noSubscription, inBrowser, onServer);
}
