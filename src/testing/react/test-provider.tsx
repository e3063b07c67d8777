// The provider of component tests: the unchanged `SynclineProvider`, given either a hand-set
// test client or a real client connected in-process to a test runtime.

import { useState, type ReactNode } from "react";
import { SynclineProvider } from "../../../hooks/context.js";
import type { SynclineClient } from "../../client/client.js";
import type { InProcessClientOptions, SyncTestCalls } from "../test-calls.js";
import type { AnyDataModel, GenericDataModel } from "../../server/define/data-model.js";

export type SynclineTestProviderProps<DM extends GenericDataModel = AnyDataModel> =
  | {
      /** A client from `createTestClient()` (or any client). */
      client: SynclineClient;
      runtime?: never;
      children?: ReactNode;
    }
  | {
      /**
       * A test runtime (`await syncTest(...)`, or `t.withIdentity(...)`): the components use a
       * real client connected to it in-process, closed by `t.close()`.
       */
      runtime: SyncTestCalls<DM>;
      /** Options of that client. */
      clientOptions?: InProcessClientOptions;
      client?: never;
      children?: ReactNode;
    };

/**
 * Gives the components below it a test client: every Syncline hook works with it unchanged.
 *
 * @example
 * // Results set by hand:
 * const client = createTestClient();
 * client.setQueryResult(api.messages.list, { room: "a" }, []);
 * render(<SynclineTestProvider client={client}><Chat room="a" /></SynclineTestProvider>);
 *
 * // The real functions, in-process:
 * const t = await syncTest({ dir: "syncline" });
 * render(<SynclineTestProvider runtime={t}><Chat room="a" /></SynclineTestProvider>);
 */
export function SynclineTestProvider<DM extends GenericDataModel = AnyDataModel>(props: SynclineTestProviderProps<DM>) {
  // One client for the provider's lifetime (React may call the initializer twice in StrictMode;
  // the spare client never connects and is closed with the runtime).
  const [client] = useState(() => (props.client !== undefined ? props.client : props.runtime.client(props.clientOptions)));
  return <SynclineProvider client={props.client ?? client}>{props.children}</SynclineProvider>;
}
