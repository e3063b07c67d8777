// syncTest: calls by reference (public and internal), direct database access, identity, errors
// exactly as a client sees them, log lines, and the closed state.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncTest, type SyncTest } from "syncline/testing";
import { AppError } from "syncline/values";
import type { ServerLogger } from "syncline/server";
import { api, internal } from "../../fixtures/testing/syncline/_generated/api";
import type { DataModel } from "../../fixtures/testing/syncline/_generated/dataModel";
import { TESTING_FIXTURE } from "./fixture";


function recordingLogger(): { logger: ServerLogger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: { info() {}, warn() {}, error: (m) => lines.push(`error ${m}`), functionLine: (kind, name, line) => lines.push(`${kind} ${name} ${line}`) } };
}

let t: SyncTest<DataModel>;
let lines: string[];
beforeEach(async () => {
  const recorded = recordingLogger();
  lines = recorded.lines;
  t = await syncTest<DataModel>({ dir: TESTING_FIXTURE, logger: recorded.logger });
});
afterEach(() => t.close());

describe("calls", () => {
  it("runs mutations and queries against a fresh database each time", async () => {
    const id = await t.mutation(api.messages.send, { room: "a", body: "hi" });
    expect(typeof id).toBe("string");
    expect(await t.query(api.messages.list, { room: "a" })).toMatchObject([{ _id: id, room: "a", body: "hi", author: "guest" }]);
    const other = await syncTest<DataModel>({ dir: TESTING_FIXTURE, logger: recordingLogger().logger });
    expect(await other.query(api.messages.list, { room: "a" })).toEqual([]);
    await other.close();
  });

  it("calls internal functions (tests are trusted) and actions that call them", async () => {
    await t.mutation(api.messages.send, { room: "a", body: "1" });
    await t.mutation(api.messages.send, { room: "a", body: "2" });
    expect(await t.query(internal.messages.count, { room: "a" })).toBe(2);
    expect(await t.action(api.messages.countFromAction, { room: "a" })).toBe(2);
    expect(await t.mutation(internal.messages.clear, { room: "a" })).toBe(2);
    expect(await t.query(api.messages.list, { room: "a" })).toEqual([]);
  });

  it("gives results as copies: changing one changes nothing stored or cached", async () => {
    await t.mutation(api.messages.send, { room: "a", body: "hi" });
    const first = await t.query(api.messages.list, { room: "a" });
    first[0]!.body = "changed";
    expect((await t.query(api.messages.list, { room: "a" }))[0]!.body).toBe("hi");
  });

  it("passes the functions' log lines to the logger", async () => {
    await t.mutation(api.messages.send, { room: "lobby", body: "hi" });
    expect(lines).toContain("mutation messages:send [LOG] 'sending to' 'lobby'");
  });

  it("refuses something that is not a reference", async () => {
    await expect(t.query("messages:list" as never, { room: "a" } as never)).rejects.toThrow(/expects a function reference/);
  });
});

describe("errors reach the test as a client sees them", () => {
  it("an AppError arrives as an AppError with its data, naming the function", async () => {
    const error = await t.mutation(api.messages.send, { room: "a", body: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).data).toEqual({ code: "EMPTY", room: "a" });
    expect((error as Error).message).toBe("[M(messages:send)] A message needs some text.");
  });

  it("a plain error arrives as an Error with the message and the user's stack", async () => {
    const error = await t.mutation(api.messages.crash, {}).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as Error).message).toMatch(/^\[M\(messages:crash\)\] Uncaught Error: boom/);
  });

  it("argument validation fails as in production, and writes nothing", async () => {
    await expect(t.mutation(api.messages.send, { room: "a" } as never)).rejects.toThrow(/^\[M\(messages:send\)\] ArgumentValidationError: .*body/s);
    await expect(t.mutation(api.messages.send, { room: "a", body: "x", extra: 1 } as never)).rejects.toThrow(/ArgumentValidationError/);
    expect(await t.query(api.messages.list, { room: "a" })).toEqual([]);
  });

  it("arguments that are not values fail before anything runs", async () => {
    await expect(t.query(api.messages.list, { room: () => "a" } as never)).rejects.toThrow(/function/i);
  });

  it("a function of the wrong kind is refused", async () => {
    const asQuery = t.query.bind(t) as (reference: unknown, args: unknown) => Promise<unknown>;
    await expect(asQuery(api.messages.send, { room: "a", body: "x" })).rejects.toThrow(/defined as Mutation/);
  });
});

describe("t.run", () => {
  it("seeds and inspects data in one transaction, typed by the data model", async () => {
    const id = await t.run((ctx) => ctx.db.insert("messages", { room: "a", body: "seeded", author: "test" }));
    expect(await t.query(api.messages.list, { room: "a" })).toMatchObject([{ _id: id, body: "seeded" }]);
    const all = await t.run((ctx) => ctx.db.query("messages").collect());
    expect(all.map((m) => m.body)).toEqual(["seeded"]);
  });

  it("writes nothing when the callback throws", async () => {
    await expect(
      t.run(async (ctx) => {
        await ctx.db.insert("messages", { room: "a", body: "lost", author: "test" });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await t.run((ctx) => ctx.db.query("messages").collect())).toEqual([]);
  });

  it("validates documents against the schema", async () => {
    await expect(t.run((ctx) => ctx.db.insert("messages", { room: "a" } as never))).rejects.toThrow(/body/);
  });

  it("stores files with t.storage and sees and deletes them through ctx.storage in the transaction", async () => {
    const storageId = await t.storage.store(new Blob(["hello"], { type: "text/plain" }));
    expect(await (await t.storage.get(storageId))!.text()).toBe("hello");
    const seen = await t.run(async (ctx) => ({ meta: await ctx.db.system.get(storageId), url: await ctx.storage.getUrl(storageId) }));
    expect(seen.meta).toMatchObject({ size: 5, contentType: "text/plain" });
    expect(seen.url).toMatch(/^http:\/\/syncline\.test\//);
    await expect(
      t.run(async (ctx) => {
        await ctx.storage.delete(storageId);
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(await t.storage.get(storageId)).not.toBeNull();
    await t.run((ctx) => ctx.storage.delete(storageId));
    expect(await t.storage.get(storageId)).toBeNull();
  });

  it("stores files through ctx.storage in t.run as a mutation does: a throw keeps no row", async () => {
    const countFiles = () => t.run(async (ctx) => (await ctx.db.system.query("_storage").collect()).length);
    const before = await countFiles();
    const inside = await t.run(async (ctx) => {
      const id = await ctx.storage.store(new Blob(["in t.run"], { type: "text/plain" }));
      return { id, text: await (await ctx.storage.get(id))!.text() };
    });
    expect(inside.text).toBe("in t.run");
    expect(await (await t.storage.get(inside.id))!.text()).toBe("in t.run");
    await expect(
      t.run(async (ctx) => {
        await ctx.storage.store(new Blob(["undone"]));
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(await countFiles()).toBe(before + 1);
  });
});

describe("withIdentity", () => {
  it("makes ctx.auth see the user, completing issuer, subject and tokenIdentifier", async () => {
    expect(await t.query(api.messages.whoami, {})).toBeNull();
    const asAda = t.withIdentity({ subject: "ada", name: "Ada" });
    expect(await asAda.query(api.messages.whoami, {})).toEqual({ subject: "ada", name: "Ada", issuer: "https://syncline.test", tokenIdentifier: "https://syncline.test|ada" });
    await asAda.mutation(api.messages.send, { room: "a", body: "hi" });
    expect(await t.query(api.messages.list, { room: "a" })).toMatchObject([{ author: "Ada" }]);
    expect(await asAda.run((ctx) => ctx.auth.getUserIdentity())).toMatchObject({ subject: "ada" });
  });

  it("keeps identities apart (the query cache too) and gives each anonymous user its own subject", async () => {
    const one = t.withIdentity({ name: "One" });
    const two = t.withIdentity({ name: "Two" });
    const [a, b] = await Promise.all([one.query(api.messages.whoami, {}), two.query(api.messages.whoami, {})]);
    expect(a!.name).toBe("One");
    expect(b!.name).toBe("Two");
    expect(a!.subject).not.toBe(b!.subject);
  });

  it("passes the identity through actions to the functions they call", async () => {
    await t.withIdentity({ subject: "bob", name: "Bob" }).fetch("/send", { method: "POST", body: JSON.stringify({ room: "r", body: "via http" }) });
    expect(await t.query(api.messages.list, { room: "r" })).toMatchObject([{ author: "Bob" }]);
  });
});

describe("close", () => {
  it("refuses calls afterwards and may be called twice", async () => {
    await t.close();
    await t.close();
    await expect(t.query(api.messages.list, { room: "a" })).rejects.toThrow(/closed/);
    expect(() => t.client()).toThrow(/closed/);
  });
});
