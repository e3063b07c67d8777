// Standard base64 (RFC 4648, with `=` padding) without Buffer, so the same code runs in browsers.
// Values carry base64 in `$bytes`, `$integer` and `$float`; the last two are always 8 bytes, so
// the hot path is short strings and a table lookup beats the generic TextDecoder-style tricks.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as padded standard base64. */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const t = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[t >> 18]! + ALPHABET[(t >> 12) & 63]! + ALPHABET[(t >> 6) & 63]! + ALPHABET[t & 63]!;
  }
  if (i < n) {
    const t = (bytes[i]! << 16) | (i + 1 < n ? bytes[i + 1]! << 8 : 0);
    out += ALPHABET[t >> 18]! + ALPHABET[(t >> 12) & 63]!;
    out += i + 1 < n ? ALPHABET[(t >> 6) & 63]! + "=" : "==";
  }
  return out;
}

/** Decodes padded standard base64; throws on any character or length that is not base64. */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error(`invalid base64: length ${text.length} is not a multiple of 4`);
  let pad = 0;
  if (text.endsWith("==")) pad = 2;
  else if (text.endsWith("=")) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = sextet(text, i), b = sextet(text, i + 1);
    const last = i + 4 === text.length;
    const c = last && pad === 2 ? 0 : sextet(text, i + 2);
    const d = last && pad >= 1 ? 0 : sextet(text, i + 3);
    const t = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = t >> 16;
    if (o < out.length) out[o++] = (t >> 8) & 255;
    if (o < out.length) out[o++] = t & 255;
  }
  return out;
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const value = code < 128 ? DECODE[code]! : -1;
  if (value < 0) throw new Error(`invalid base64: unexpected character ${JSON.stringify(text[i])} at ${i}`);
  return value;
}
