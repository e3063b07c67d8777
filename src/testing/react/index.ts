// `syncline/testing/react`: component tests. `SynclineTestProvider` over a hand-set test client
// (`createTestClient`) or over a test runtime's real functions (`syncTest`, from `syncline/testing`).

export { SynclineTestProvider, type SynclineTestProviderProps } from "./test-provider.js";
export { createTestClient, TestClient, type TestClientOptions, type TestCall, type RecordedCall, type CallHandler } from "../test-client.js";
