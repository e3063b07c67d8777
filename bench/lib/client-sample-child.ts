// A child process of the client benchmark: runs one sample (client-sample.ts) as its argument
// asks, sends the result to the parent over IPC and exits. A fresh process per sample keeps the
// samples independent: each client starts with cold code and an empty heap.
//
// Run by hand (no parent), it prints the result: one cold sample in seconds, for bisecting.
//   npx tsx bench/lib/client-sample-child.ts '{"client":"syncline","count":2000,"rounds":3}'

import { sample, type SampleRequest } from "./client-sample.js";

const answer = (message: { result: unknown } | { error: string }, code: number) => {
  if (process.send === undefined) {
    console.log(JSON.stringify(message));
    process.exit(code);
  } else process.send(message, () => process.exit(code));
};
// Parsed inside the chain, so a malformed argument is answered like any other failure.
Promise.resolve()
  .then(() => sample(JSON.parse(process.argv[2] ?? "") as SampleRequest))
  .then(
  (result) => answer({ result }, 0),
  (error: unknown) => answer({ error: String(error instanceof Error ? error.stack : error) }, 1),
);
