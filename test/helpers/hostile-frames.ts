// Hostile sync-protocol frames built from the real protocol with every field possibly wrong,
// and hostile /api request bodies: what the hostile-storm test and the reliability benchmark send.

import fc from "fast-check";
import WebSocket from "ws";

/** Function paths: real ones (the internal `load:secret` too), malformed ones, random text. */
export const udfPath = fc.oneof(
  fc.constantFrom("load:count", "load:increment", "load:fill", "load:blob", "load:secret", "load:slot", "nope:none", "load", ":", "load:secret:x"),
  fc.string({ maxLength: 40 }),
);
/** Arguments: right, of the wrong shape, random JSON. */
export const args = fc.oneof(fc.constant([{ name: "storm" }]), fc.tuple(fc.jsonValue({ maxDepth: 3 })), fc.jsonValue({ maxDepth: 2 }));
const smallInt = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.integer(), fc.double(), fc.constant(null));
const ts = fc.oneof(fc.constant("AAAAAAAAAAA="), fc.base64String({ maxLength: 16 }), fc.string({ maxLength: 12 }));

/** Protocol messages with every field possibly wrong. */
export const frame: fc.Arbitrary<string> = fc.oneof(
  fc.record({ type: fc.constant("Connect"), sessionId: fc.oneof(fc.uuid(), fc.string()), connectionCount: smallInt, lastCloseReason: fc.option(fc.string()), clientTs: smallInt, maxObservedTimestamp: fc.option(ts, { nil: undefined }) }, { requiredKeys: ["type"] }).map((m) => JSON.stringify(m)),
  fc
    .record({
      type: fc.constant("ModifyQuerySet"),
      baseVersion: smallInt,
      newVersion: smallInt,
      modifications: fc.array(fc.oneof(fc.record({ type: fc.constant("Add"), queryId: smallInt, udfPath, args }), fc.record({ type: fc.constant("Remove"), queryId: smallInt })), { maxLength: 6 }),
    }, { requiredKeys: ["type"] })
    .map((m) => JSON.stringify(m)),
  fc.record({ type: fc.constantFrom("Mutation", "Action"), requestId: smallInt, udfPath, args }, { requiredKeys: ["type"] }).map((m) => JSON.stringify(m)),
  fc.record({ type: fc.constant("Authenticate"), baseVersion: smallInt, tokenType: fc.constantFrom("User", "Admin", "None", "x"), value: fc.string({ maxLength: 300 }) }, { requiredKeys: ["type"] }).map((m) => JSON.stringify(m)),
  fc.record({ type: fc.constantFrom("Event", "Bogus", ""), eventType: fc.string(), event: fc.jsonValue({ maxDepth: 2 }) }).map((m) => JSON.stringify(m)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  // A valid message cut or extended at a random point.
  fc.tuple(fc.constant(JSON.stringify({ type: "Mutation", requestId: 1, udfPath: "load:secret", args: [{}] })), fc.nat({ max: 60 }), fc.string({ maxLength: 10 })).map(([text, cut, tail]) => text.slice(0, cut) + tail),
);

/**
 * One hostile socket: its frames as fast as it can, then gone (closed or reset at random).
 *
 * @example
 * await hostileSocket(server.url, fc.sample(frame, { numRuns: 250, seed }));
 */
export async function hostileSocket(url: string, frames: string[]): Promise<void> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`);
  ws.on("error", () => {});
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  const opened = await new Promise<boolean>((resolve) => {
    ws.once("open", () => resolve(true));
    ws.once("close", () => resolve(false));
  });
  if (!opened) return;
  for (const text of frames) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (Math.random() < 0.5) ws.terminate();
  else ws.close();
  // A server that never completes the close handshake would show up in the heap check, not here.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  ws.terminate();
}
