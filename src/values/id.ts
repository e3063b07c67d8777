// Document ids. An id is opaque to users, but it encodes its table so that `v.id("tasks")` can
// check it without a database: `<table>_<26 base32 characters>`.
//
// The 26 characters are 10 of millisecond time and 16 random (80 bits): ids made close in time
// sort close together, so inserts touch the end of the id index instead of a random page each
// (several times less write volume per commit), while two ids still never collide in practice.

/** A document id of table `TableName`; at run time a plain string. */
export type Id<TableName extends string> = string & { readonly __tableName: TableName };

/** `Id` under the name Convex code imports from `convex/values`. */
export type GenericId<TableName extends string> = Id<TableName>;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const TIME_LENGTH = 10; // 50 bits of milliseconds: enough until the year 37000
const RANDOM_LENGTH = 16;
const ID_LENGTH = TIME_LENGTH + RANDOM_LENGTH;
const SUFFIX = new RegExp(`^[${ALPHABET}]{${ID_LENGTH}}$`);

// Random bytes come from one pooled buffer: a CSPRNG call per id is measurably slow.
const POOL_SIZE = RANDOM_LENGTH * 256;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** The alphabet's character codes: an id's characters are made in one string, not one string each. */
const CODES = Array.from(ALPHABET, (char) => char.charCodeAt(0));
const randomCodes: number[] = new Array<number>(RANDOM_LENGTH).fill(0);

function randomPart(): string {
  if (poolOffset + RANDOM_LENGTH > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < RANDOM_LENGTH; i++) randomCodes[i] = CODES[pool[poolOffset++]! & 31]!;
  return String.fromCharCode.apply(null, randomCodes);
}

const timeCodes: number[] = new Array<number>(TIME_LENGTH).fill(0);
/** 2^25: the time part's 50 bits are taken as two halves that are small integers. */
const HALF = 33_554_432;

function timePart(ms: number): string {
  // Milliseconds since 1970 are past 2^31: divided as they are, every step is floating-point and
  // indexing the alphabet with a double takes V8's slow path (it showed in every insert's profile).
  const whole = Math.floor(ms);
  let high = Math.floor(whole / HALF);
  let low = whole - high * HALF;
  for (let i = TIME_LENGTH - 1; i >= TIME_LENGTH / 2; i--, low >>>= 5) timeCodes[i] = CODES[low & 31]!;
  for (let i = TIME_LENGTH / 2 - 1; i >= 0; i--, high >>>= 5) timeCodes[i] = CODES[high & 31]!;
  return String.fromCharCode.apply(null, timeCodes);
}

/** The time part of the last millisecond an id was made in: ids made together share it. */
let lastTime = { ms: Number.NaN, part: "" };

/** Makes a fresh id for `table`. */
export function newId<TableName extends string>(table: TableName): Id<TableName> {
  const ms = Date.now();
  if (ms !== lastTime.ms) lastTime = { ms, part: timePart(ms) };
  return `${table}_${lastTime.part}${randomPart()}` as Id<TableName>;
}

/** The table an id belongs to, or undefined when the string is not an id. */
export function tableOfId(id: string): string | undefined {
  const cut = id.length - ID_LENGTH - 1;
  if (cut < 1 || id.charCodeAt(cut) !== 95 /* _ */) return undefined;
  if (!SUFFIX.test(id.slice(cut + 1))) return undefined;
  return id.slice(0, cut);
}

/** True when `id` is an id of `table`. */
export function isIdOf(id: unknown, table: string): boolean {
  return typeof id === "string" && tableOfId(id) === table;
}
