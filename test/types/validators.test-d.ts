// Compile-time tests: `Infer` matches hand-written types.
import { v, type Infer, type Id } from "syncline/values";
import { expectTrue, type Equal } from "./helpers";

const message = v.object({
  room: v.string(),
  body: v.string(),
  author: v.optional(v.id("users")),
  likes: v.int64(),
  tags: v.array(v.union(v.literal("a"), v.literal("b"))),
  meta: v.record(v.string(), v.any()),
  data: v.nullable(v.bytes()),
  nested: v.object({ on: v.boolean(), at: v.float64() }),
});

type Message = {
  room: string;
  body: string;
  author?: Id<"users"> | undefined;
  likes: bigint;
  tags: ("a" | "b")[];
  meta: Record<string, import("syncline/values").Value>;
  data: ArrayBuffer | null;
  nested: { on: boolean; at: number };
};

expectTrue<Equal<Infer<typeof message>, Message>>();
expectTrue<Equal<Infer<ReturnType<typeof v.null>>, null>>();
expectTrue<Equal<Infer<ReturnType<typeof v.number>>, number>>();
expectTrue<Equal<Infer<typeof message.shape.fields.author>, Id<"users"> | undefined>>();

// Ids of different tables are different types.
const userId = "" as Id<"users">;
// @ts-expect-error an id of users is not an id of tasks
const taskId: Id<"tasks"> = userId;
void taskId;

// Records: string and id keys are index signatures; literal keys may each be missing (as at run time).
const scores = v.record(v.union(v.literal("a"), v.literal("b")), v.number());
expectTrue<Equal<Infer<typeof scores>, { a?: number; b?: number }>>();
const onlyA: Infer<typeof scores> = { a: 1 };
void onlyA;
expectTrue<Equal<Infer<ReturnType<typeof v.record<ReturnType<typeof v.string>, ReturnType<typeof v.number>>>>, Record<string, number>>>();
const byUser = v.record(v.id("users"), v.boolean());
expectTrue<Equal<Infer<typeof byUser>, Record<Id<"users">, boolean>>>();
