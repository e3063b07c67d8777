import { ConnectionBadge } from "./ConnectionBadge";
import { MessageForm } from "./MessageForm";
import { MessageList } from "./MessageList";

/** The room every message of this app goes to. */
export const ROOM = "general";

export function App() {
  return (
    <main>
      <header>
        <h1>Messages</h1>
        <ConnectionBadge />
      </header>
      <MessageForm room={ROOM} />
      <MessageList room={ROOM} />
      <p className="hint">
        Open this page in a second tab: a message sent in one shows in both. The functions are in <code>syncline/</code>; save
        one and the server reloads it.
      </p>
    </main>
  );
}
