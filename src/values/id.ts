// Document ids. An id is opaque to users, but it encodes its table so that `v.id("tasks")` can
// check it without a database: `<table>_<26 random base32 characters>`.

/** A document id of table `TableName`; at run time a plain string. */
export type Id<TableName extends string> = string & { readonly __tableName: TableName };

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const RANDOM_LENGTH = 26; // 130 bits of randomness
const RANDOM_PART = new RegExp(`^[${ALPHABET}]{${RANDOM_LENGTH}}$`);

/** Makes a fresh random id for `table`. */
export function newId<TableName extends string>(table: TableName): Id<TableName> {
  const bytes = new Uint8Array(RANDOM_LENGTH);
  crypto.getRandomValues(bytes);
  let random = "";
  for (const byte of bytes) random += ALPHABET[byte & 31];
  return `${table}_${random}` as Id<TableName>;
}

/** The table an id belongs to, or undefined when the string is not an id. */
export function tableOfId(id: string): string | undefined {
  const cut = id.length - RANDOM_LENGTH - 1;
  if (cut < 1 || id.charCodeAt(cut) !== 95 /* _ */) return undefined;
  if (!RANDOM_PART.test(id.slice(cut + 1))) return undefined;
  return id.slice(0, cut);
}

/** True when `id` is an id of `table`. */
export function isIdOf(id: unknown, table: string): boolean {
  return typeof id === "string" && tableOfId(id) === table;
}
