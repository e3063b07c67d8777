import { useQuery } from "syncline/react";
import { api } from "../syncline/_generated/api";

/** The room's newest messages; live: a message sent anywhere shows here at once. */
export function MessageList({ room }: { room: string }) {
  const messages = useQuery(api.messages.list, { room }); // undefined while loading
  if (messages === undefined) return <p className="muted">Loading…</p>;
  if (messages.length === 0) return <p className="muted">No messages yet: send the first one.</p>;
  return (
    <ul data-testid="messages">
      {messages.map((message) => (
        <li key={message._id}>{message.body}</li>
      ))}
    </ul>
  );
}
