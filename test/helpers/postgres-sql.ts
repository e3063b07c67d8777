// One SQL statement on its own connection, for tests that look at or change what the Postgres
// engine stored (its layout, entries in an older format).

import pg from "pg";

/** The rows `text` returns on the database at `url`. */
export async function sql<T extends object>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
