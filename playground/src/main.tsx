import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SynclineClient } from "syncline";
import { SynclineDevtools } from "syncline/devtools";
import { SynclineProviderWithAuth } from "syncline/react";
import { App } from "./App";
import { useDevAuth } from "./devAuth";
import "./style.css";

// The API URL: `?server=` (the browser tests use it), else VITE_SYNCLINE_URL, else the dev default.
const url = new URLSearchParams(location.search).get("server") ?? import.meta.env.VITE_SYNCLINE_URL ?? "http://127.0.0.1:3210";
const client = new SynclineClient(url);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SynclineProviderWithAuth client={client} useAuth={useDevAuth}>
      <App />
      {/* Development builds only: the floating button at the bottom right opens it. */}
      <SynclineDevtools />
    </SynclineProviderWithAuth>
  </StrictMode>,
);
