import { useState, type FormEvent } from "react";
import { Authenticated, AuthLoading, Unauthenticated, useQuery } from "syncline/react";
import { api } from "../syncline/_generated/api";
import { signIn, signOut } from "./devAuth";

/** Sign-in with the DEV-ONLY token issuer; shows per-user data once the server confirmed the token. */
export function SignIn() {
  const [name, setName] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== "") signIn(name.trim());
  };
  return (
    <div className="signin" data-testid="auth">
      <AuthLoading>
        <span className="muted">Checking your token…</span>
      </AuthLoading>
      <Unauthenticated>
        <form onSubmit={submit}>
          <input aria-label="Your name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Your name" />
          <button type="submit">Sign in</button>
          <span className="devonly" title="Tokens come from the playground's own issuer, which signs any name. Never use it in an app.">
            dev-only token issuer
          </span>
        </form>
      </Unauthenticated>
      <Authenticated>
        <Me />
      </Authenticated>
    </div>
  );
}

function Me() {
  const me = useQuery(api.me.whoami);
  return (
    <span data-testid="me">
      {me ? `Signed in as ${me.name} · ${me.sent} message(s) sent` : "…"}{" "}
      <button onClick={signOut}>Sign out</button>
    </span>
  );
}
