// Which engine a `db` option selects, and how a Postgres URL is shown in messages.

import { describe, expect, it } from "vitest";
import { databaseLocation, redactUrl } from "../../../src/server/db/location.js";
import { targetOf, describeTarget } from "../../../src/server/db/postgres/errors.js";

describe("databaseLocation", () => {
  it("takes postgres:// and postgresql:// URLs (any case) as PostgreSQL", () => {
    expect(databaseLocation("postgres://app:pw@db:5432/app")).toEqual({ engine: "postgres", url: "postgres://app:pw@db:5432/app" });
    expect(databaseLocation("POSTGRESQL://db/app")).toEqual({ engine: "postgres", url: "POSTGRESQL://db/app" });
  });

  it("takes file paths and :memory: as SQLite, colons in names included", () => {
    for (const path of [":memory:", ".syncline/data.sqlite", "/var/lib/app/data.sqlite", "C:\\data\\app.sqlite", "data:v2.sqlite"]) {
      expect(databaseLocation(path)).toEqual({ engine: "sqlite", path });
    }
  });

  it("refuses any other scheme with a message saying what works", () => {
    expect(() => databaseLocation("mysql://root@localhost/app")).toThrow('Unsupported database URL scheme "mysql://": use a postgres:// or postgresql:// URL, a file path, or ":memory:".');
    expect(() => databaseLocation("file:///tmp/x.sqlite")).toThrow('Unsupported database URL scheme "file://"');
  });
});

describe("Postgres targets in messages", () => {
  it("name host, port and database, never the password", () => {
    const url = "postgres://app:s%40cret@db.internal:6543/shop";
    expect(describeTarget(targetOf(url))).toBe('PostgreSQL at db.internal:6543, database "shop"');
    expect(redactUrl(url)).toBe("postgres://app@db.internal:6543/shop");
    expect(describeTarget(targetOf("postgresql://localhost"))).toBe('PostgreSQL at localhost:5432, database "postgres"');
  });
});
