// Starts the reliability fixture's server on the database path given as the only argument and
// prints, as one JSON line, the error `startServer` threw ({ name, message }) or
// { started: true }. Run in its own process so a test can run it without root's privileges.
import { startServer } from "../../../../src/server/index.js";

const RELIABILITY_DIR = new URL("../../../fixtures/reliability/syncline", import.meta.url).pathname;
try {
  const server = await startServer({ dir: RELIABILITY_DIR, port: 0, db: process.argv[2]! });
  await server.close();
  console.log(JSON.stringify({ started: true }));
} catch (error) {
  console.log(JSON.stringify({ name: (error as Error).name, message: (error as Error).message }));
}
