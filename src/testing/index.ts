// `syncline/testing`: test functions against the real runtime in the test's own process, and
// components against a client whose results the test sets by hand. Nothing here imports React;
// the providers are in `syncline/testing/react`.

export { syncTest, SyncTest, type SyncTestOptions } from "./sync-test.js";
export { SyncTestCalls, type TestRunCtx, type InProcessClientOptions } from "./test-calls.js";
export { ScheduledFunctionsPendingError, type FinishScheduledOptions } from "./fake-time.js";
export { TEST_ISSUER, type TestIdentity } from "./test-identities.js";
export { createTestClient, TestClient, type TestClientOptions, type TestCall, type RecordedCall, type CallHandler } from "./test-client.js";
