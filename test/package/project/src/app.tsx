// A user's client code, type-checked against the installed package (strict; bundler, node16 and
// node10 resolution). Each assertion fails to compile if a type is `any` or wrong, and each expected
// error (the misuses) fails to compile if the misuse compiles.

import { SynclineClient, SynclineHttpClient, type FunctionReturnType } from "syncline";
import { SynclineProvider, useAction, useMutation, useQuery } from "syncline/react";
import { startServer, type GenericQueryCtx } from "syncline/server";
import { v, type Infer } from "syncline/values";
import WebSocket from "ws";
import { api, internal } from "../syncline/_generated/api";
import type { Doc, Id } from "../syncline/_generated/dataModel";
import type { QueryCtx } from "../syncline/_generated/server";

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<_ extends true>(): void {}

const client = new SynclineClient("http://127.0.0.1:3210", { WebSocket });
const http = new SynclineHttpClient("http://127.0.0.1:3210");

export function Chat({ room }: { room: string }) {
  const messages = useQuery(api.messages.list, { room });
  assertType<Equal<typeof messages, Doc<"messages">[] | undefined>>();
  const send = useMutation(api.messages.send);
  const shout = useAction(api.messages.shout);
  // @ts-expect-error an internal function is not callable from a client
  useQuery(internal.messages.wipe, { room });
  // @ts-expect-error an internal function is not callable from a client
  useMutation(internal.messages.wipe);
  // @ts-expect-error a mutation is not a query
  useQuery(api.messages.send, { room, body: "" });
  // @ts-expect-error room is a string
  void send({ room: 1, body: "" });
  return <button onClick={() => void shout({ room, body: "hey" })}>{messages?.map((message) => message.body).join(", ")}</button>;
}

export const app = (
  <SynclineProvider client={client}>
    <Chat room="general" />
  </SynclineProvider>
);

export async function script(): Promise<void> {
  const id = await client.mutation(api.messages.send, { room: "a", body: "b" });
  assertType<Equal<typeof id, Id<"messages">>>();
  const messages = await http.query(api.messages.list, { room: "a" });
  assertType<Equal<typeof messages, Doc<"messages">[]>>();
  assertType<Equal<FunctionReturnType<typeof api.messages.shout>, string>>();
  // @ts-expect-error an internal function is not callable from a client
  await client.mutation(internal.messages.wipe, { room: "a" });
  const server = await startServer({ dir: "syncline", port: 0, db: ":memory:" });
  assertType<Equal<typeof server.url, string>>();
  await server.close();
}

const message = v.object({ room: v.string(), body: v.string() });
assertType<Equal<Infer<typeof message>, { room: string; body: string }>>();
assertType<Equal<IsAny<QueryCtx>, false>>();
assertType<Equal<IsAny<GenericQueryCtx<never>>, false>>();
