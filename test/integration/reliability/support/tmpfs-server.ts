// The reliability fixture's server on a database in the folder given as the only argument (a
// small tmpfs the test mounted), with a filler file taking most of its space. Prints one JSON line
// { url } once listening; reads commands on stdin: "free" deletes the filler (space is back) and
// answers { freed: true }, "stop" closes the server and exits.
import { rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { startServer } from "../../../../src/server/index.js";

const RELIABILITY_DIR = new URL("../../../fixtures/reliability/syncline", import.meta.url).pathname;
const folder = process.argv[2]!;
const server = await startServer({ dir: RELIABILITY_DIR, port: 0, db: `${folder}/data.sqlite` });
writeFileSync(`${folder}/filler`, Buffer.alloc(Number(process.argv[3] ?? 0)));
console.log(JSON.stringify({ url: server.url }));
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "free") {
    rmSync(`${folder}/filler`);
    console.log(JSON.stringify({ freed: true }));
  } else if (line === "stop") {
    void server.close().then(() => process.exit(0));
  }
});
