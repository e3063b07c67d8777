import { useState } from "react";
import { Chat } from "./Chat";
import { SignIn } from "./SignIn";
import { ConnectionBadge } from "./ConnectionBadge";
import { Files } from "./Files";
import { Summary } from "./Summary";
import { Tasks } from "./Tasks";

export function App() {
  const [guestName] = useState(() => sessionStorage.getItem("name") ?? `guest-${Math.floor(Math.random() * 900 + 100)}`);
  sessionStorage.setItem("name", guestName);
  return (
    <main>
      <header>
        <h1>Syncline playground</h1>
        <ConnectionBadge />
        <SignIn />
      </header>
      <p className="note">
        Every list on this page is live: open a second tab and watch. The functions' <code>console.log</code> lines appear in
        this tab's browser console, prefixed with the function's name, e.g. <code>[Q(messages:list)]</code>, and in the
        devtools (the round button at the bottom right), with every query, mutation and action of this page.
      </p>
      <div className="columns">
        <Chat guestName={guestName} />
        <div>
          <Summary />
          <Tasks />
          <Files />
        </div>
      </div>
    </main>
  );
}
