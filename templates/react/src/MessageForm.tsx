import { useState } from "react";
import { useMutation } from "syncline/react";
import { api } from "../syncline/_generated/api";

/** Sends a message; the list updates by itself (the mutation resolves once its write is visible). */
export function MessageForm({ room }: { room: string }) {
  const send = useMutation(api.messages.send);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const text = body.trim();
        if (text === "") return;
        setBody("");
        send({ room, body: text }).then(
          () => setError(null),
          (failure: unknown) => {
            setBody(text); // nothing typed is lost
            setError(failure instanceof Error ? failure.message : String(failure));
          },
        );
      }}
    >
      <input value={body} onChange={(event) => setBody(event.target.value)} placeholder="Write a message" aria-label="Message" />
      <button type="submit">Send</button>
      {error !== null && <p className="error">{error}</p>}
    </form>
  );
}
