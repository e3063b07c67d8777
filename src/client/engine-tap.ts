// What the sync engine tells whoever inspects it. The interface sits below both sides: the
// engine calls it without importing the inspector (inspect.ts, which is only in a bundle that
// uses `inspectClient`), and the inspector implements it.

import type { FunctionKind } from "../functions/reference.js";
import type { CloseInfo, OpenInfo } from "../../transport/websocket.js";
import type { LocalQuery } from "./query-set.js";
import type { QueryToken } from "./query-token.js";
import type { PendingRequest, RequestOutcome } from "./request-queue.js";

/** What the engine tells its tap (see `SyncEngine.tap`): raw changes, which inspect.ts turns into events. */
export interface EngineTap {
  /** A query was acquired or released. */
  query(query: LocalQuery): void;
  /** Queries whose server result changed, and tokens an optimistic layer changed. */
  results(changed: readonly LocalQuery[], optimisticTokens: readonly QueryToken[]): void;
  request(request: PendingRequest): void;
  settled(request: PendingRequest, outcome: RequestOutcome | Error): void;
  lines(kind: FunctionKind, name: string, lines: readonly string[]): void;
  opened(info: OpenInfo): void;
  closed(info: CloseInfo): void;
  /** The auth state or token may have changed. */
  auth(): void;
}
