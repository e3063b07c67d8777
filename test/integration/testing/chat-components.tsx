// A small chat UI for the component tests of `syncline/testing/react`: a list with loading and
// error states, and a form whose send shows its pending and error states.
import { useState } from "react";
import { useMutationState, useQueryState } from "syncline/react";
import { isAppError } from "syncline/values";
import { api } from "../../fixtures/testing/syncline/_generated/api";

export function Messages({ room }: { room: string }) {
  const state = useQueryState(api.messages.list, { room });
  if (state.status === "pending") return <p>Loading…</p>;
  if (state.status === "error") {
    const code = isAppError(state.error) ? (state.error.data as { code?: string }).code : undefined;
    return <p role="alert">{code ?? state.error.message}</p>;
  }
  if (state.status !== "success") return null;
  return (
    <ul>
      {state.data.map((message) => (
        <li key={message._id}>
          {message.author}: {message.body}
        </li>
      ))}
    </ul>
  );
}

export function SendForm({ room, optimistic = false }: { room: string; optimistic?: boolean }) {
  const [body, setBody] = useState("");
  const send = useMutationState(api.messages.send, {
    optimisticUpdate: optimistic
      ? (store, args) => {
          const list = store.getQuery(api.messages.list, { room: args.room });
          if (list) store.setQuery(api.messages.list, { room: args.room }, [...list, { _id: "draft" as never, _creationTime: 0, room: args.room, body: args.body, author: "me (sending)" }]);
        }
      : undefined,
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        send.mutate({ room, body });
      }}
    >
      <input aria-label="message" value={body} onChange={(event) => setBody(event.target.value)} />
      <button type="submit" disabled={send.isPending}>
        {send.isPending ? "Sending…" : "Send"}
      </button>
      {send.isError && <span role="status">{send.error?.message}</span>}
      {send.isSuccess && <span role="status">sent {String(send.data)}</span>}
    </form>
  );
}
