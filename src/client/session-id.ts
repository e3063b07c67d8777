// The session id (protocol.md §3): a random UUID v4 made once per client.

/**
 * A UUID v4. Built from `crypto.getRandomValues` rather than `crypto.randomUUID`, which exists
 * only in secure contexts (https, localhost) - a page served over plain http on a LAN address
 * must work too. Without Web Crypto at all (some React Native setups) Math.random stands in:
 * the id only has to be unique, not secret.
 */
export function newSessionId(): string {
  const bytes = new Uint8Array(16);
  const webCrypto = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof webCrypto?.getRandomValues === "function") webCrypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10xx
  let id = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += "-";
    id += bytes[i]!.toString(16).padStart(2, "0");
  }
  return id;
}
