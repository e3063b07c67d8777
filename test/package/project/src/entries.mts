// The entry points from an ES module under node16 resolution: the `import` conditions' types.

import { SynclineClient, makeFunctionReference, type FunctionReturnType } from "syncline";
import { useQuery } from "syncline/react";
import { defineSchema, defineTable, httpRouter } from "syncline/server";
import { SynclineQueryClient } from "syncline/tanstack";
import { v, type Infer } from "syncline/values";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<_ extends true>(): void {}

const list = makeFunctionReference<"query", { room: string }, string[]>("query", "messages:list");
assertType<Equal<FunctionReturnType<typeof list>, string[]>>();
export const useList = (room: string): string[] | undefined => useQuery(list, { room });
export const schema = defineSchema({ t: defineTable({ a: v.string() }) });
export const router = httpRouter();
assertType<Equal<Infer<ReturnType<typeof v.int64>>, bigint>>();
export type Adapter = SynclineQueryClient;
export const client: SynclineClient | undefined = undefined;
