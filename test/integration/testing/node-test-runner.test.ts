// syncTest works under Node's built-in test runner too: runs test/node-runner's file with
// `node --import tsx --test` and checks that every test passed and the process ended by itself
// (a runtime left open - a timer, a socket - would keep it alive until the timeout kills it).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");

it("passes under node --test", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "test/node-runner/functions.node-test.ts"], {
    cwd: root,
    timeout: 60_000,
  });
  expect(stdout).toMatch(/^# pass 4$/m);
  expect(stdout).toMatch(/^# fail 0$/m);
});
