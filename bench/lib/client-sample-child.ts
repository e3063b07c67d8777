// A child process of the client benchmark: runs one sample (client-sample.ts) as its argument
// asks, sends the result to the parent over IPC and exits. A fresh process per sample keeps the
// samples independent: each client starts with cold code and an empty heap.

import { sample, type SampleRequest } from "./client-sample.js";

const request = JSON.parse(process.argv[2]!) as SampleRequest;
sample(request).then(
  (result) => process.send!({ result }, () => process.exit(0)),
  (error: unknown) => process.send!({ error: String(error instanceof Error ? error.stack : error) }, () => process.exit(1)),
);
