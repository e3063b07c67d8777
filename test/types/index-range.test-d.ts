// Compile-time tests: the `withIndex` range builder follows the server's rules
// (src/server/db/index-range.ts) in its types. Zero or more `eq` on the index's fields in order,
// then at most one lower (`gt`/`gte`) and one upper (`lt`/`lte`) bound, in either order, on the
// next field; nothing after that. The key ends with `_creationTime` then `_id`, as on the server.
// Values have the field's type. tsconfig.strict.json checks this file too (`undefined` for an
// optional field under `exactOptionalPropertyTypes`).
//
// Fixture: todos { taskListId: Id<"taskLists">, done: boolean, priority: bigint, text: string }
// with by_list_done [taskListId, done] and by_priority [priority].
import type {
  AnyDataModel,
  DatabaseReader as GenericDatabaseReader,
  IndexRange,
  IndexRangeBuilder,
  IndexRangeWithLowerBound,
  IndexRangeWithUpperBound,
} from "syncline/server";
import type { Doc, Id } from "../fixtures/app/syncline/_generated/dataModel";
import type { QueryCtx } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

declare const ctx: QueryCtx;
declare const listId: Id<"taskLists">;
declare const userId: Id<"users">;
declare const todoId: Id<"todos">;
const todos = () => ctx.db.query("todos");

export function validRanges() {
  todos().withIndex("by_list_done");
  todos().withIndex("by_list_done", (q) => q);
  // eq on a prefix of the fields, in order
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId));
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).eq("done", true));
  // then bounds on the next field
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gt("done", false));
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gte("done", false).lt("done", true));
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gt("done", false).lte("done", true));
  // bounds without eq, on the first field; an upper bound alone, or before the lower one
  todos().withIndex("by_priority", (q) => q.gt("priority", 1n));
  todos().withIndex("by_priority", (q) => q.lt("priority", 10n));
  todos().withIndex("by_priority", (q) => q.lte("priority", 10n).gte("priority", 1n));
  // the implicit key fields: _creationTime, then _id
  todos().withIndex("by_priority", (q) => q.eq("priority", 1n).gt("_creationTime", 0));
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).eq("done", true).eq("_creationTime", 0).gte("_id", todoId));
  todos().withIndex("by_creation_time", (q) => q.gte("_creationTime", 0).lt("_creationTime", 10));
  todos().withIndex("by_creation_time", (q) => q.eq("_creationTime", 0).eq("_id", todoId));
  todos().withIndex("by_id", (q) => q.eq("_id", todoId));
  // optional values: `undefined` matches documents without the field
  ctx.db.query("tasks").withIndex("by_list", (q) => q.eq("taskListId", undefined));
  // the callback may return any stage, including different ones on different paths
  todos().withIndex("by_priority", (q) => (Math.random() > 0.5 ? q.lt("priority", 5n) : q.gt("priority", 5n).lte("priority", 9n)));
}

export function stages() {
  todos().withIndex("by_list_done", (q) => {
    expectTrue<Equal<typeof q, IndexRangeBuilder<Doc<"todos">, ["taskListId", "done", "_creationTime", "_id"]>>>();
    const listed = q.eq("taskListId", listId);
    expectTrue<Equal<typeof listed, IndexRangeBuilder<Doc<"todos">, ["done", "_creationTime", "_id"]>>>();
    const lower = listed.gt("done", false);
    expectTrue<Equal<typeof lower, IndexRangeWithLowerBound<Doc<"todos">, "done">>>();
    const upper = listed.lt("done", true);
    expectTrue<Equal<typeof upper, IndexRangeWithUpperBound<Doc<"todos">, "done">>>();
    const both = lower.lte("done", true);
    expectTrue<Equal<typeof both, IndexRange>>();
    // every field fixed: a closed range
    const all = listed.eq("done", true).eq("_creationTime", 0).eq("_id", todoId);
    expectTrue<Equal<typeof all, IndexRange>>();
    return both;
  });
  // by_id is keyed by _id alone (no second _id)
  todos().withIndex("by_id", (q) => {
    expectTrue<Equal<typeof q, IndexRangeBuilder<Doc<"todos">, ["_id"]>>>();
    return q;
  });
}

export function refusedRanges() {
  // @ts-expect-error skipping a field: by_list_done starts with taskListId
  todos().withIndex("by_list_done", (q) => q.eq("done", true));
  // @ts-expect-error ... also for a bound
  todos().withIndex("by_list_done", (q) => q.gt("done", false));
  // @ts-expect-error eq after a bound
  todos().withIndex("by_priority", (q) => q.gt("priority", 1n).eq("priority", 2n));
  // @ts-expect-error ... on the following field too
  todos().withIndex("by_list_done", (q) => q.gt("taskListId", listId).eq("done", true));
  // @ts-expect-error two lower bounds
  todos().withIndex("by_priority", (q) => q.gt("priority", 1n).gte("priority", 2n));
  // @ts-expect-error two upper bounds
  todos().withIndex("by_priority", (q) => q.lt("priority", 1n).lte("priority", 2n));
  // @ts-expect-error a third bound after a lower and an upper one
  todos().withIndex("by_priority", (q) => q.gt("priority", 1n).lt("priority", 5n).gte("priority", 2n));
  // @ts-expect-error a bound on a field other than the next: taskListId is already fixed
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gt("taskListId", listId));
  // @ts-expect-error ... or further on than the next
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gt("_creationTime", 0));
  // @ts-expect-error the upper bound is on another field than the lower one
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).gt("done", false).lt("_creationTime", 0));
  // @ts-expect-error nothing after the last key field
  todos().withIndex("by_id", (q) => q.eq("_id", todoId).gt("_id", todoId));
  // @ts-expect-error a wrong value type (priority is a bigint)
  todos().withIndex("by_priority", (q) => q.gt("priority", 1));
  // @ts-expect-error ... an id of another table
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", userId));
  // @ts-expect-error ... undefined for a required field
  todos().withIndex("by_list_done", (q) => q.eq("taskListId", listId).eq("done", undefined));
  // @ts-expect-error a field not in the index
  todos().withIndex("by_list_done", (q) => q.eq("text", "x"));
  // @ts-expect-error the callback must return the range
  todos().withIndex("by_priority", () => undefined);
}

// Without a schema the fields are unknown (`string[]`): any field, any value, but the order of
// eq and bounds is still checked, and the upper bound is on the lower bound's field.
declare const db: GenericDatabaseReader<AnyDataModel>;
export function withoutSchema() {
  db.query("items").withIndex("by_a_b", (q) => q.eq("a", 1).eq("b", "x").gt("c", 0).lt("c", 5));
  db.query("items").withIndex("by_a_b", (q) => q.lt("a", 1).gte("a", 0));
  // @ts-expect-error eq after a bound
  db.query("items").withIndex("by_a_b", (q) => q.gt("a", 1).eq("b", 2));
  // @ts-expect-error the upper bound is on another field than the lower one
  db.query("items").withIndex("by_a_b", (q) => q.gt("a", 1).lt("b", 2));
}
