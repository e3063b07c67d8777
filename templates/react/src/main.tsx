import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SynclineClient } from "syncline";
import { SynclineProvider } from "syncline/react";
import { App } from "./App";
import "./style.css";

// One client (one WebSocket) for the whole page.
const client = new SynclineClient(import.meta.env.SYNCLINE_URL);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SynclineProvider client={client}>
      <App />
    </SynclineProvider>
  </StrictMode>,
);
