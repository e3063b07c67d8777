// The Auth tab: signed in or not, who, and until when, with the token's claims as a tree. The
// token itself never reaches the panel: the client's events carry only its claims.

import { h, setText } from "../dom.js";
import { ago, clock } from "../format.js";
import type { DevtoolsStore } from "../store.js";
import { valueTree } from "../tree.js";
import type { Value } from "../../values/value.js";
import type { Tab } from "./tab.js";

const STATE_TEXT = {
  none: "Signed out (no token)",
  fetching: "Fetching a token…",
  waiting: "Token sent, waiting for the server to accept it",
  confirmed: "Signed in",
  refreshing: "Signed in, refreshing the token",
} as const;

/**
 * @example
 * const tab = authTab(store);
 * tab.render(Date.now());
 */
export function authTab(store: DevtoolsStore): Tab {
  const status = h("dd", { "data-testid": "auth-status" });
  const subject = h("dd", {});
  const issuer = h("dd", {});
  const expires = h("dd", {});
  const claims = h("div", { class: "tree" });
  const open = new Set(["$"]);
  let drawnClaims: unknown = undefined;
  const element = h(
    "div",
    { class: "auth" },
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Status"),
      status,
      h("dt", {}, "Subject"),
      subject,
      h("dt", {}, "Issuer"),
      issuer,
      h("dt", {}, "Expires"),
      expires,
    ),
    h("div", { class: "section" }, "Claims"),
    h("div", { class: "detail" }, claims),
    h("p", { class: "note" }, "The token itself is never shown: the client hands devtools its claims only."),
  );

  return {
    id: "auth",
    label: "Auth",
    element,
    count: () => null,
    render(now) {
      const auth = store.auth;
      const text = (value: unknown) => (typeof value === "string" ? value : "–");
      setText(status, STATE_TEXT[auth.state]);
      setText(subject, text(auth.claims?.sub));
      setText(issuer, text(auth.claims?.iss));
      if (auth.expiresAt === null) setText(expires, "–");
      else setText(expires, `${clock(auth.expiresAt)} (${auth.expiresAt > now ? `in ${ago(now, auth.expiresAt).replace(" ago", "")}` : `expired ${ago(auth.expiresAt, now)}`})`);
      if (auth.claims !== drawnClaims) {
        drawnClaims = auth.claims;
        claims.replaceChildren(auth.claims === null ? h("span", { class: "muted" }, "No token.") : valueTree(auth.claims as Value, open));
      }
    },
  };
}
