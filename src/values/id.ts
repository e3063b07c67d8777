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

function randomPart(): string {
  if (poolOffset + RANDOM_LENGTH > POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let out = "";
  for (let i = 0; i < RANDOM_LENGTH; i++) out += ALPHABET[pool[poolOffset++]! & 31];
  return out;
}

function timePart(ms: number): string {
  let out = "";
  let rest = Math.floor(ms);
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Makes a fresh id for `table`. */
export function newId<TableName extends string>(table: TableName): Id<TableName> {
  return `${table}_${timePart(Date.now())}${randomPart()}` as Id<TableName>;
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
