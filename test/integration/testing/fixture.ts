// The functions folder the tests of `syncline/testing` run.
import { join } from "node:path";

export const TESTING_FIXTURE = join(import.meta.dirname, "../../fixtures/testing/syncline");
