// A follower's catalog reload: committed rows win, tables it only reserved stay reserved, and
// reads recorded under reserved ids are still reached by commits to the committed ones.

import { describe, expect, it } from "vitest";
import { Catalog } from "../../../src/server/db/catalog.js";

const committed = (tableId: number, firstIndex: number, name: string) => ({
  tables: [{ id: tableId, name }],
  indexes: [
    { id: firstIndex, table_id: tableId, name: "by_id", fields: "[]" },
    { id: firstIndex + 1, table_id: tableId, name: "by_creation_time", fields: '["_creationTime"]' },
  ],
});

describe("Catalog.refresh", () => {
  it("maps the committed ids of a table this node had only reserved to the reserved ones", () => {
    const catalog = Catalog.load([], []);
    const reserved = catalog.table("messages"); // read before the leader created it
    catalog.table("drafts"); // read, and still not created
    const rows = committed(7, 40, "messages");
    const aliases = catalog.refresh(rows.tables, rows.indexes);
    expect(aliases).toEqual(new Map([[40, reserved.byId.id], [41, reserved.byCreationTime.id]]));
    expect(catalog.peek("messages")).toMatchObject({ id: 7, persisted: true });
    expect(catalog.peek("drafts")?.persisted).toBe(false);
    expect(catalog.indexIds()).toEqual(new Set([40, 41, catalog.peek("drafts")!.byId.id, catalog.peek("drafts")!.byCreationTime.id]));
  });

  it("needs no alias when the reserved ids are the committed ones", () => {
    const catalog = Catalog.load([], []);
    const reserved = catalog.table("messages");
    const rows = committed(reserved.id, reserved.byId.id, "messages");
    expect(catalog.refresh(rows.tables, rows.indexes).size).toBe(0);
  });
});
