// The HTTP API against the real server (port 0, real SQLite): the documentation's examples end
// to end, the runtime's rules, and every bad request.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import { call, post, startTestServer } from "../helpers/server.js";

let server: RunningServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer();
  url = server.url;
});
afterAll(() => server.close());

const ok = (answer: { status: number; body: Record<string, unknown> }) => {
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ status: "success" });
  return answer.body.value;
};
const failed = (answer: { status: number; body: Record<string, unknown> }) => {
  expect(answer.status).toBe(200);
  expect(answer.body.status).toBe("error");
  return answer.body.errorMessage as string;
};

describe("the documentation's examples, end to end", () => {
  it("sum, with and without validators", async () => {
    expect(ok(await call(url, "query", "myFunctions:sum", { a: 1, b: 2 }))).toBe(3);
    expect(ok(await call(url, "query", "myFunctions:sumUnvalidated", { a: 1, b: 2 }))).toBe(3);
  });

  it("createTask, getTask, getTaskList with filter, order and take", async () => {
    const listId = ok(await call(url, "mutation", "behaviour:insertRaw", { table: "taskLists", doc: { name: "home" } })) as string;
    const ids: string[] = [];
    for (const text of ["one", "two", "three"]) {
      const id = ok(await call(url, "mutation", "behaviour:insertRaw", { table: "tasks", doc: { text, taskListId: listId } })) as string;
      ids.push(id);
    }
    const created = ok(await call(url, "mutation", "myFunctions:createTask", { text: "not in the list" })) as string;
    expect(created).toMatch(/^tasks_/);
    const task = ok(await call(url, "query", "myFunctions:getTask", { id: created })) as Record<string, unknown>;
    expect(task).toMatchObject({ _id: created, text: "not in the list" });
    expect(typeof task._creationTime).toBe("number");
    const list = ok(await call(url, "query", "myFunctions:getTaskList", { taskListId: listId })) as { text: string }[];
    expect(list.map((t) => t.text)).toEqual(["three", "two", "one"]);
  });

  it("getTaskAndAuthor joins through a helper", async () => {
    const author = ok(await call(url, "mutation", "behaviour:insertRaw", { table: "users", doc: { name: "Ada" } })) as string;
    const task = ok(await call(url, "mutation", "behaviour:insertRaw", { table: "tasks", doc: { text: "write", authorId: author } })) as string;
    expect(ok(await call(url, "query", "myFunctions:getTaskAndAuthor", { id: task }))).toMatchObject({ task: { text: "write" }, author: "Ada" });
  });

  it("the public upgrade action calls the internal markPlanAsProfessional mutation", async () => {
    const payment = await import("node:http").then(({ createServer }) => {
      const s = createServer((_, res) => res.end("paid"));
      return new Promise<import("node:http").Server>((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
    });
    try {
      const port = (payment.address() as import("node:net").AddressInfo).port;
      const planId = ok(await call(url, "mutation", "plans:create", { owner: "ada" })) as string;
      expect(ok(await call(url, "action", "changes:upgrade", { planId, paymentUrl: `http://127.0.0.1:${port}/charge` }))).toBe(true);
      expect(ok(await call(url, "query", "plans:get", { planId }))).toMatchObject({ planType: "professional" });
      // ...and a client cannot call the internal mutation itself, with the very message of a missing function.
      expect(failed(await call(url, "mutation", "plans:markPlanAsProfessional", { planId }))).toBe(
        "Could not find public function for 'plans:markPlanAsProfessional'.",
      );
      expect(failed(await call(url, "mutation", "plans:doesNotExist", {}))).toBe("Could not find public function for 'plans:doesNotExist'.");
    } finally {
      payment.close();
    }
  });

  it("default exports and nested modules by every written form", async () => {
    expect(ok(await call(url, "query", "nested/deeper/things", {}))).toBe("the default export");
    expect(ok(await call(url, "query", "nested/deeper/things:default", {}))).toBe("the default export");
    expect(ok(await call(url, "query", "nested/deeper/things.js:hello", {}))).toBe("hello from nested/deeper/things");
  });
});

describe("transactions", () => {
  it("1,000 concurrent mutations incrementing one counter end at exactly 1,000", async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, () => call(url, "mutation", "counter:increment", { name: "c1000" })));
    expect(results.every((r) => r.body.status === "success")).toBe(true);
    expect(new Set(results.map((r) => r.body.value)).size).toBe(1000);
    expect(ok(await call(url, "query", "counter:get", { name: "c1000" }))).toBe(1000);
  });

  it("a mutation that throws after writing leaves nothing behind", async () => {
    expect(failed(await call(url, "mutation", "behaviour:writeThenThrow", { room: "ghost" }))).toMatch(/^Uncaught Error: changed my mind/);
    expect(ok(await call(url, "query", "behaviour:listRoom", { room: "ghost" }))).toEqual([]);
  });
});

describe("the runtime's rules", () => {
  it("freezes Date.now() and new Date() during a mutation and seeds Math.random per call", async () => {
    const before = Date.now();
    const first = ok(await call(url, "mutation", "behaviour:clock", {})) as { first: number; second: number; firstDate: number; randoms: number[] };
    const second = ok(await call(url, "mutation", "behaviour:clock", {})) as typeof first;
    expect(first.second).toBe(first.first);
    expect(first.firstDate).toBe(first.first);
    expect(first.first).toBeGreaterThanOrEqual(before);
    expect(first.randoms[0]).not.toBe(first.randoms[1]);
    expect(second.randoms).not.toEqual(first.randoms);
  });

  it("refuses fetch and timers in queries and mutations, pointing to actions", async () => {
    expect(failed(await call(url, "query", "behaviour:tryFetch", {}))).toMatch(/fetch is not allowed in queries .*Call it from an action/);
    expect(failed(await call(url, "mutation", "behaviour:tryTimer", {}))).toMatch(/setTimeout is not allowed in mutations/);
  });

  it("refuses writes from a query", async () => {
    expect(failed(await call(url, "query", "behaviour:tryWriteFromQuery", {}))).toMatch(/ctx\.db\.insert is not available in queries/);
  });

  it("lets actions use timers and real time, concurrently", async () => {
    const [a, b] = await Promise.all([
      call(url, "action", "behaviour:slowAction", { ms: 300 }),
      call(url, "action", "behaviour:slowAction", { ms: 300 }),
    ]);
    const ra = ok(a) as { started: number; ended: number };
    const rb = ok(b) as { started: number; ended: number };
    expect(ra.ended - ra.started).toBeGreaterThanOrEqual(290);
    expect(Math.max(ra.started, rb.started)).toBeLessThan(Math.min(ra.ended, rb.ended)); // they overlapped
  });

  it("turns console calls into log lines", async () => {
    const answer = await call(url, "query", "behaviour:logs", {});
    expect(answer.body.logLines).toEqual(["[LOG] 'hi' 42", "[INFO] { a: 1 }", "[WARN] 'careful'", "[ERROR] 'bad'", "[DEBUG] 'details'"]);
  });

  it("formats printf-style directives and keeps console timers, counters and traces per call", async () => {
    const lines = (await call(url, "query", "behaviour:consoleExtras", {})).body.logLines as string[];
    expect(lines.slice(0, 2)).toEqual(["[LOG] 'cart has 3 items'", "[LOG] '100%' 'sure'"]);
    expect(lines[2]).toMatch(/^\[LOG\] 'step: \d+\.\d{3}ms' 'halfway'$/);
    expect(lines[3]).toMatch(/^\[LOG\] 'step: \d+\.\d{3}ms'$/);
    expect(lines.slice(4, 10)).toEqual([
      `[WARN] "No such label 'step' for console.timeEnd()"`,
      "[LOG] 'default: 1'",
      "[LOG] 'default: 2'",
      "[LOG] 'x: 1'",
      "[LOG] 'default: 1'",
      "[LOG] { nested: { deep: true } }",
    ]);
    expect(lines[10]).toMatch(/^\[ERROR\] Trace: here now\n {4}at .*behaviour/);
    expect(lines).toHaveLength(11);

    // Two calls timing the same label at once each see their own timer, not a clash.
    const answers = await Promise.all([0, 1].map(() => call(url, "action", "behaviour:timedWait", { ms: 50 })));
    for (const answer of answers) expect(answer.body.logLines).toEqual([expect.stringMatching(/^\[LOG\] 'wait: \d+\.\d{3}ms'$/)]);
  });

  it("delivers AppError data and a plain message for other errors", async () => {
    const answer = await call(url, "mutation", "behaviour:failWithData", { code: "NOPE" });
    expect(answer.body).toMatchObject({ status: "error", errorData: { code: "NOPE", retry: false } });
    expect(failed(await call(url, "query", "behaviour:failPlain", {}))).toMatch(/^Uncaught Error: something secret broke/);
  });

  it("checks returns validators and that results are values", async () => {
    expect(failed(await call(url, "query", "behaviour:badReturn", {}))).toMatch(/result: expected string, got number/);
    expect(failed(await call(url, "query", "behaviour:returnsDate", {}))).toMatch(/result\.when: Date is not a supported value/);
  });

  it("a function that returns undefined returns null", async () => {
    expect(ok(await call(url, "mutation", "myFunctions:mutateSomething", {}))).toBeNull();
    // ...also under `returns: v.optional(...)`, which accepts the undefined the handler returned.
    expect(ok(await call(url, "query", "behaviour:maybeName", {}))).toBeNull();
    expect(ok(await call(url, "query", "behaviour:maybeName", { name: "Ada" }))).toBe("Ada");
  });

  it("calling a function as the wrong kind says so", async () => {
    expect(failed(await call(url, "query", "myFunctions:createTask", { text: "x" }))).toBe(
      "Trying to execute myFunctions:createTask as Query, but it is defined as Mutation.",
    );
  });
});

describe("argument validation names every bad field", () => {
  it("wrong types, missing and unknown fields", async () => {
    const message = failed(await call(url, "query", "myFunctions:sum", { a: "1", c: 3 }));
    expect(message).toMatch(/args\.a: expected number, got string/);
    expect(message).toMatch(/args\.b: missing required field/);
    expect(message).toMatch(/args\.c: unexpected field "c"/);
  });

  it("ids of the wrong table", async () => {
    const userId = ok(await call(url, "mutation", "behaviour:insertRaw", { table: "users", doc: { name: "x" } })) as string;
    expect(failed(await call(url, "query", "myFunctions:getTask", { id: userId }))).toMatch(/args\.id: expected an id of table "tasks"/);
  });
});

describe("formats", () => {
  it("round-trips int64, bytes and special floats losslessly in convex_encoded_json", async () => {
    const args = { n: { $integer: "AQAAAAAAAAA=" }, b: { $bytes: "AQI=" }, f: { $float: "AAAAAAAA+H8=" } };
    expect(ok(await call(url, "query", "behaviour:echo", args))).toEqual(args);
  });

  it("answers /api/run in clean json by default", async () => {
    const answer = await post(url, "/api/run/behaviour/echo", { args: { n: { $integer: "AQAAAAAAAAA=" }, b: { $bytes: "AQI=" }, f: { $float: "AAAAAAAA8H8=" } } });
    expect(answer.body).toMatchObject({ status: "success", value: { n: "1", b: "AQI=", f: "Infinity" } });
  });

  it("the generic /api/function endpoint runs any kind", async () => {
    const answer = await post(url, "/api/function", { path: "myFunctions:sum", args: { a: 2, b: 3 }, format: "json" });
    expect(answer.body).toMatchObject({ status: "success", value: 5 });
    expect((await post(url, "/api/function", { path: "behaviour:hidden", args: {} })).body.errorMessage).toBe(
      "Could not find public function for 'behaviour:hidden'.",
    );
  });
});

describe("bad requests get a 4xx with {code, message} and break nothing", () => {
  it.each([
    ["bad JSON", "/api/query", "{not json", 400, "BadJsonBody"],
    ["missing path", "/api/query", { args: [{}] }, 400, "MissingPath"],
    ["args not an array of one object", "/api/query", { path: "myFunctions:sum", args: { a: 1 } }, 400, "BadArgs"],
    ["args with an unknown $ tag", "/api/query", { path: "myFunctions:sum", args: [{ a: { $date: 1 } }] }, 400, "BadArgs"],
    ["unknown format", "/api/query", { path: "myFunctions:sum", args: [{}], format: "xml" }, 400, "BadFormat"],
    ["unknown endpoint", "/api/nope", {}, 404, "NotFound"],
    ["a body that is not an object", "/api/query", [1, 2], 400, "BadRequest"],
  ])("%s", async (_label, path, body, status, code) => {
    const answer = await post(url, path, body);
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    expect(typeof answer.body.message).toBe("string");
  });

  it("a body over the limit gets 413", async () => {
    const answer = await post(url, "/api/mutation", { path: "behaviour:send", args: [{ room: "x", body: "a".repeat(17 * 1024 * 1024) }] });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe("PayloadTooLarge");
  });

  it("GET gets 405 with Allow", async () => {
    const response = await fetch(`${url}/api/query`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("POST");
  });

  it("a bearer token gets a clear 401 while no auth provider is configured", async () => {
    const answer = await post(url, "/api/query", { path: "myFunctions:sum", args: [{ a: 1, b: 1 }] }, { Authorization: "Bearer abc.def.ghi" });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/No auth provider is configured/);
  });

  it("the server still answers after all of that", async () => {
    expect(ok(await call(url, "query", "myFunctions:sum", { a: 40, b: 2 }))).toBe(42);
  });
});

describe("limits of protocol.md §11.2 give clear errors naming the limit", () => {
  const insert = (table: string, doc: unknown) => call(url, "mutation", "behaviour:insertRaw", { table, doc } as never);

  it("strings of 1 MiB or more", async () => {
    const answer = await post(url, "/api/mutation", { path: "behaviour:send", args: [{ room: "x", body: "a".repeat(1 << 20) }] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/args\.body: string is too large: strings must be smaller than 1048576 bytes/);
  });

  it("arrays over 8192 elements, objects over 1024 fields, nesting over 64", async () => {
    expect((await call(url, "query", "behaviour:echo", { a: new Array(8193).fill(1) })).body.message).toMatch(/args\.a: array has 8193 elements, over the limit of 8192/);
    const wide = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`f${i}`, i]));
    expect((await call(url, "query", "behaviour:echo", { w: wide })).body.message).toMatch(/over the limit of 1024 fields/);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect((await call(url, "query", "behaviour:echo", { d: deep as never })).body.message).toMatch(/nested deeper than the limit of 64/);
  });

  it("field names starting with $ and document fields starting with _", async () => {
    expect((await call(url, "query", "behaviour:echo", { x: { $weird: 1, other: 2 } })).body.message).toMatch(/\$weird/);
    expect(failed(await insert("messages", { room: "r", body: "b", _secret: 1 }))).toMatch(/_secret.*must not start with "_"/);
  });

  it("documents over 1 MiB", async () => {
    const big = { room: "r", body: "b", parts: Array.from({ length: 3 }, () => "x".repeat(400_000)) };
    expect(failed(await insert("messages", big))).toMatch(/1048576|1 MiB/);
  });

  it("bad table names and writes to system tables", async () => {
    expect(failed(await insert("bad-name", { a: 1 }))).toMatch(/table name "bad-name"/);
    expect(failed(await insert("_system", { a: 1 }))).toMatch(/_system/);
  });

  it("schema validation on writes names the table and field", async () => {
    expect(failed(await insert("messages", { room: 1, body: "b" }))).toMatch(/messages.*room.*expected string/s);
  });
});
