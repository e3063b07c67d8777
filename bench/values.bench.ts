// The value encoding: Syncline's encodeValue/decodeValue against convex/values'
// convexToJson/jsonToConvex, on (a) one realistic ~10 KB document and (b) 10,000 small documents.

import { convexToJson, jsonToConvex, type Value as ConvexValue } from "convex/values";
import { decodeValue, encodeValue, type JSONValue, type Value } from "../src/values/index.js";
import { DEFAULT_TIMING, QUICK_TIMING, versus, type Contender } from "./lib/timing.js";
import type { BenchResult, Suite } from "./lib/types.js";
import { prng } from "./lib/prng.js";

// ---- deterministic data -------------------------------------------------------------------------


const WORDS = [
  "the", "deploy", "is", "green", "again", "can", "you", "review", "my", "PR", "before", "lunch", "café", "über",
  "naïve", "😀", "🚀", "ok", "thanks", "merged", "flaky", "test", "retry", "on", "Friday", "日本語", "ship", "it",
];
const NAMES = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances"];
const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function maker(seed: number) {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  return {
    int,
    rand,
    pick: <T>(list: readonly T[]) => list[int(list.length)]!,
    id: (table: string) => `${table}_${Array.from({ length: 26 }, () => ID_ALPHABET[int(32)]).join("")}`,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => int(256)).buffer,
    sentence(min: number, max: number) {
      const n = min + int(max - min + 1);
      return Array.from({ length: n }, () => WORDS[int(WORDS.length)]).join(" ");
    },
  };
}

/** A chat channel document: members, messages with reactions and attachments, stats. */
export function chatDocument(seed = 1): Value {
  const m = maker(seed);
  const t0 = 1_700_000_000_000;
  const members = NAMES.map((name, i) => ({
    _id: m.id("users"),
    name,
    role: i === 0 ? "owner" : i < 3 ? "admin" : "member",
    joinedAt: t0 + i * 86_400_000,
    muted: i % 3 === 0,
    avatarHash: m.bytes(16),
  }));
  const messages = Array.from({ length: 24 }, (_, i) => ({
    _id: m.id("messages"),
    author: members[i % members.length]!._id,
    body: m.sentence(6, 20),
    sentAt: t0 + 3_600_000 + i * 61_237,
    seq: BigInt(10_000 + i),
    edited: m.rand() < 0.2,
    score: Math.round(m.rand() * 1000) / 100,
    reactions: m.rand() < 0.5 ? [{ emoji: m.pick(["👍", "🎉", "👀"]), count: 1 + m.int(5), by: [members[m.int(8)]!._id] }] : [],
    ...(i % 5 === 0 ? { attachment: { name: `screenshot-${i}.png`, size: 10_000 + m.int(90_000), sha256: m.bytes(32) } } : {}),
    replyTo: i > 0 && m.rand() < 0.3 ? null : undefined,
  }));
  return {
    _id: m.id("channels"),
    _creationTime: t0 + 0.5,
    name: "general",
    topic: m.sentence(8, 12),
    settings: { retentionDays: 30, slowModeSeconds: 0, archived: false, pinned: [messages[0]!._id, messages[3]!._id] },
    members,
    messages,
    stats: { views: 123_456, ratio: 0.731, version: 42n, lastActivity: t0 + 9_999_999 },
    thumbnail: m.bytes(96),
  };
}

/** A small task document (~5 fields). */
export function smallDocument(m: ReturnType<typeof maker>, i: number): Value {
  return {
    _id: m.id("tasks"),
    _creationTime: 1_700_000_000_000 + i * 1.5,
    text: m.sentence(2, 6),
    isCompleted: m.rand() < 0.4,
    priority: m.int(5),
  };
}

export function smallDocuments(count: number, seed = 2): Value[] {
  const m = maker(seed);
  return Array.from({ length: count }, (_, i) => smallDocument(m, i));
}

// ---- the workloads ------------------------------------------------------------------------------

interface Workload {
  name: string;
  values: Value[];
}

/** Both encoders must produce the same JSON, or the comparison would be meaningless. */
function checkSameWork(workload: Workload): void {
  for (const value of workload.values) {
    const ours = JSON.stringify(encodeValue(value));
    const theirs = JSON.stringify(convexToJson(value as ConvexValue));
    if (ours !== theirs) throw new Error(`${workload.name}: encoders disagree:\n${ours}\n${theirs}`);
  }
}

function contenders(workload: Workload): { encode: [Contender, Contender]; decode: [Contender, Contender]; both: [Contender, Contender] } {
  const values = workload.values;
  const ourJson = values.map((v) => encodeValue(v));
  const theirJson = values.map((v) => convexToJson(v as ConvexValue));
  const loop = (fn: (i: number) => unknown) => () => {
    let last: unknown;
    for (let i = 0; i < values.length; i++) last = fn(i);
    return last;
  };
  return {
    encode: [
      { name: "syncline", fn: loop((i) => encodeValue(values[i]!)) },
      { name: "convex", fn: loop((i) => convexToJson(values[i] as ConvexValue)) },
    ],
    decode: [
      { name: "syncline", fn: loop((i) => decodeValue(ourJson[i]!)) },
      { name: "convex", fn: loop((i) => jsonToConvex(theirJson[i]!)) },
    ],
    both: [
      { name: "syncline", fn: loop((i) => decodeValue(encodeValue(values[i]!))) },
      { name: "convex", fn: loop((i) => jsonToConvex(convexToJson(values[i] as ConvexValue))) },
    ],
  };
}

const suite: Suite = {
  name: "values",
  description: "encodeValue/decodeValue vs convex/values convexToJson/jsonToConvex (per iteration)",
  async run(options) {
    const timing = options.quick ? QUICK_TIMING : DEFAULT_TIMING;
    const doc = chatDocument();
    const kb = (JSON.stringify(encodeValue(doc)).length / 1024).toFixed(1);
    const workloads: [string, Workload][] = [
      [`1 doc (${kb} KB JSON)`, { name: "document", values: [doc] }],
      ["10,000 small docs", { name: "small documents", values: smallDocuments(10_000) }],
    ];
    const results: BenchResult[] = [];
    for (const [label, workload] of workloads) {
      checkSameWork(workload);
      const c = contenders(workload);
      results.push(await versus(`encode ${label}`, ...c.encode, timing));
      results.push(await versus(`decode ${label}`, ...c.decode, timing));
      results.push(await versus(`encode+decode ${label}`, ...c.both, timing));
    }
    return results;
  },
};

export default suite;
