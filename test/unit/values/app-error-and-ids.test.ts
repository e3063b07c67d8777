// AppError (protocol.md §11.4) and document ids (`<table>_<26 base32 characters>`).

import { describe, expect, it } from "vitest";
import { AppError, decodeValue, encodeValue, isAppError, isIdOf, tableOfId } from "syncline/values";
import { newId } from "../../../src/values/id.js";

describe("AppError", () => {
  it("keeps its data as given", () => {
    const data = { code: "NOT_FOUND", id: "tasks_1", n: 2n, list: [1, null] };
    const error = new AppError(data);
    expect(error.data).toBe(data);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AppError");
    expect(decodeValue(encodeValue(error.data))).toEqual(data);
  });

  it("uses string data as the message", () => {
    expect(new AppError("Out of stock").message).toBe("Out of stock");
    expect(String(new AppError("Out of stock"))).toBe("AppError: Out of stock");
  });

  it("uses the JSON of other data as the message, bigints included", () => {
    expect(new AppError({ code: "NOT_FOUND", n: 2n }).message).toBe('{"code":"NOT_FOUND","n":"2n"}');
    expect(new AppError(42).message).toBe("42");
    expect(new AppError(null).message).toBe("null");
    expect(new AppError([1, "a"]).message).toBe('[1,"a"]');
  });

  it("takes an explicit message", () => {
    const error = new AppError({ code: 1 }, "custom");
    expect(error.message).toBe("custom");
    expect(error.data).toEqual({ code: 1 });
  });

  it("is recognised by isAppError, also when thrown and caught", () => {
    expect(isAppError(new AppError("x"))).toBe(true);
    try {
      throw new AppError({ code: "X" });
    } catch (error) {
      expect(isAppError(error)).toBe(true);
      if (isAppError(error)) expect(error.data).toEqual({ code: "X" });
    }
  });

  it("is recognised across copies of the library by the registered brand", () => {
    const brand = Symbol.for("syncline.AppError");
    const fromOtherCopy = Object.assign(new Error("boom"), { [brand]: true, data: { code: "X" } });
    expect(isAppError(fromOtherCopy)).toBe(true);
    expect(isAppError({ [brand]: true, data: 1, message: "m" })).toBe(true);
    expect((new AppError(1) as unknown as Record<symbol, unknown>)[brand]).toBe(true);
  });

  it("does not mistake other things for AppErrors", () => {
    expect(isAppError(new Error("x"))).toBe(false);
    expect(isAppError({ data: 1, name: "AppError", message: "x" })).toBe(false);
    expect(isAppError({ [Symbol("syncline.AppError")]: true })).toBe(false);
    expect(isAppError({ [Symbol.for("syncline.AppError")]: "yes" })).toBe(false);
    for (const other of [null, undefined, "AppError", 1, true]) expect(isAppError(other)).toBe(false);
  });
});

describe("ids", () => {
  const RANDOM = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;

  it("makes ids of the form <table>_<26 base32 characters>", () => {
    const id = newId("tasks");
    expect(id.startsWith("tasks_")).toBe(true);
    expect(id.slice("tasks_".length)).toMatch(RANDOM);
  });

  it("makes distinct ids", () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newId("tasks")));
    expect(ids.size).toBe(2000);
  });

  it("round-trips the table, underscores included", () => {
    for (const table of ["tasks", "my_table", "a", "_scheduled_functions", "x__y_", "T1"]) {
      const id = newId(table);
      expect(tableOfId(id)).toBe(table);
      expect(isIdOf(id, table)).toBe(true);
    }
  });

  it("tells tables apart, even when one name is a prefix or suffix of the other", () => {
    const id = newId("my_table");
    expect(isIdOf(id, "my")).toBe(false);
    expect(isIdOf(id, "table")).toBe(false);
    expect(isIdOf(id, "my_table_")).toBe(false);
    expect(isIdOf(newId("tasks"), "task")).toBe(false);
    expect(isIdOf(newId("task"), "tasks")).toBe(false);
  });

  it("refuses garbage", () => {
    const random = "0123456789abcdefghjkmnpqrs"; // 26 valid characters
    expect(tableOfId(`tasks_${random}`)).toBe("tasks");
    for (const garbage of [
      "",
      "tasks",
      "tasks_",
      `_${random}`, // no table
      `tasks-${random}`, // wrong separator
      `tasks_${random.slice(1)}`, // 25 characters
      `tasks_${random}0`, // 27 characters
      `tasks_${random.slice(1)}A`, // upper case
      `tasks_${random.slice(1)}i`, // not in the alphabet
      `tasks_${random.slice(1)}_`,
      random,
    ]) {
      expect(tableOfId(garbage), garbage).toBeUndefined();
      expect(isIdOf(garbage, "tasks")).toBe(false);
    }
    for (const notString of [null, undefined, 1, {}, ["tasks_" + random]]) expect(isIdOf(notString, "tasks")).toBe(false);
  });
});

describe("id ordering", () => {
  it("ids made in later milliseconds sort after earlier ones (inserts append to the id index)", async () => {
    const { newId } = await import("../../../src/values/id.js");
    const first = newId("tasks");
    await new Promise((resolve) => setTimeout(resolve, 3));
    const second = newId("tasks");
    expect(first < second).toBe(true);
    expect(new Set(Array.from({ length: 10_000 }, () => newId("tasks"))).size).toBe(10_000);
  });
});
