import { useState } from "react";
import { makeFunctionReference } from "syncline";
import { useAction, useQuery, useSyncline } from "syncline/react";
import { api, internal } from "../syncline/_generated/api";

/**
 * An action that takes a while, runs in parallel with others, and writes through an internal
 * mutation - plus a button that tries to call that internal mutation from the page.
 */
export function Summary() {
  const client = useSyncline();
  const summarize = useAction(api.summaries.summarize);
  const latest = useQuery(api.summaries.latest, { room: "general" });
  const [running, setRunning] = useState(0);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);

  const run = () => {
    setRunning((n) => n + 1);
    summarize({ room: "general" }).finally(() => setRunning((n) => n - 1));
  };

  const callInternal = async () => {
    const messages: string[] = [];
    // 1. The generated reference is refused by the client itself, before anything is sent.
    try {
      // @ts-expect-error The types refuse internal references too; this shows the run-time check.
      await client.mutation(internal.summaries.save, { room: "general", text: "free upgrade", messageCount: 0 });
    } catch (error) {
      messages.push(`client: ${(error as Error).message}`);
    }
    // 2. A hand-made "public" reference reaches the server, which answers as if it did not exist.
    try {
      await client.mutation(makeFunctionReference("mutation", "summaries:save"), { room: "general", text: "free upgrade", messageCount: 0 });
    } catch (error) {
      messages.push(`server: ${(error as Error).message}`);
    }
    setRefusal(messages.join("\n"));
  };

  return (
    <section className="summary">
      <h2>Summary of #general</h2>
      <p data-testid="summary">{latest === undefined ? "Loading…" : latest === null ? "No summary yet." : latest.text}</p>
      <button onClick={run}>Summarize #general{running > 0 ? ` (${running} running)` : ""}</button>
      <button className="danger" onClick={() => void callInternal()}>
        Call the internal mutation directly
      </button>
      {refusal ? <pre data-testid="refusal">{refusal}</pre> : null}
    </section>
  );
}
