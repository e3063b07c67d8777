// Compile-time tests: the public `EmbeddedDatabase` type is what the SQLite engine's class offers
// (so `(server.db as EmbeddedDatabase).setMaxSize(...)` from the README does what it says), and it
// is declared without the engine's class, whose driver types user projects do not have.
import type { EmbeddedDatabase, RunningServer } from "syncline/server";
import type { EmbeddedDatabase as EngineClass } from "../../src/server/db/sqlite/database.js";

declare const engine: EngineClass;
const asPublic: EmbeddedDatabase = engine;
void asPublic;

declare const server: RunningServer;
(server.db as EmbeddedDatabase).setMaxSize(512 * 1024 * 1024);
(server.db as EmbeddedDatabase).setMaxSize(undefined);
// @ts-expect-error a size is a number of bytes
(server.db as EmbeddedDatabase).setMaxSize("512 MB");
