// Child process of crash.test.ts: commits a stream of inserts from several concurrent writers
// and prints each id once its write() resolved (= acknowledged durable). The parent kills it
// with SIGKILL mid-stream. Run: node --import tsx crash-child.ts <database file>

import { openDatabase } from "../../../src/server/db/index.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: crash-child.ts <database file>");
const db = await openDatabase({ path });
process.stdout.write("ready\n");

const writer = async (stream: number) => {
  for (let i = 0; ; i++) {
    const { result: id } = await db.write((tx) => tx.db.insert("acks", { stream, i, padding: "x".repeat(200) }));
    // Writes to a pipe are synchronous on Linux: once this returns, the parent can see the id.
    process.stdout.write(`${id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, (_, stream) => writer(stream)));
