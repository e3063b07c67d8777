import { useState, type FormEvent } from "react";
import { insertAtTop, useMutation, usePaginatedQuery, useQuery } from "syncline/react";
import { api } from "../syncline/_generated/api";

const ROOMS = ["general", "random", "syncline"];

/**
 * A room's live history (newest first, paginated) and a composer with an optimistic send. Signed-in
 * users post under their verified name (the server decides), so the composer and the optimistic
 * message show that name too, never the guest name the server would replace.
 */
export function Chat({ guestName }: { guestName: string }) {
  const me = useQuery(api.me.whoami);
  const name = me?.name ?? guestName;
  const [room, setRoom] = useState(ROOMS[0]!);
  const [draft, setDraft] = useState("");
  const { results, status, loadMore } = usePaginatedQuery(api.messages.list, { room }, { initialNumItems: 10 });
  const send = useMutation(api.messages.send).withOptimisticUpdate((localStore, args) =>
    insertAtTop({
      paginatedQuery: api.messages.list,
      argsToMatch: { room: args.room },
      localQueryStore: localStore,
      // Shown at once, marked pending until the server's own copy replaces it.
      item: { _id: `pending-${crypto.randomUUID()}` as never, _creationTime: Date.now(), ...args },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = draft.trim();
    if (body === "") return;
    setDraft("");
    send({ room, author: name, body }).catch((error: Error) => alert(error.message));
  };

  return (
    <section className="chat">
      <h2>Chat</h2>
      <nav>
        {ROOMS.map((r) => (
          <button key={r} className={r === room ? "active" : ""} onClick={() => setRoom(r)}>
            #{r}
          </button>
        ))}
      </nav>
      <form onSubmit={submit}>
        <input aria-label="Message" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder={`Message #${room} as ${name}`} />
        <button type="submit">Send</button>
      </form>
      {status === "LoadingFirstPage" ? <p className="muted">Loading…</p> : null}
      <ul className="messages" data-testid="messages">
        {results.map((message) => (
          <li key={message._id} className={String(message._id).startsWith("pending-") ? "pending" : ""}>
            <b>{message.author}</b> {message.body}
          </li>
        ))}
      </ul>
      {status === "CanLoadMore" || status === "LoadingMore" ? (
        <button disabled={status === "LoadingMore"} onClick={() => loadMore(10)}>
          {status === "LoadingMore" ? "Loading…" : "Load older messages"}
        </button>
      ) : null}
      {status === "Exhausted" && results.length === 0 ? (
        <p className="muted" data-testid="empty-room">
          No messages in #{room} yet. Say hello: open a second tab and watch it arrive there.
        </p>
      ) : null}
      {status === "Exhausted" && results.length > 0 ? <p className="muted">That is the whole history.</p> : null}
    </section>
  );
}
