// Compile-time tests: ctx.storage offers each kind of function what it may do (links in queries;
// upload URLs, deletion and contents in mutations and actions), takes only storage ids, and
// `_storage` rows are typed through ctx.db.system and Doc<"_storage">.
import type { FileMetadata } from "syncline/server";
import { v, type Id, type Infer } from "syncline/values";
import type { Doc } from "../fixtures/app/syncline/_generated/dataModel";
import type { ActionCtx, HttpActionCtx, MutationCtx, QueryCtx } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

declare const queryCtx: QueryCtx;
declare const mutationCtx: MutationCtx;
declare const actionCtx: ActionCtx;
declare const httpCtx: HttpActionCtx;
declare const storageId: Id<"_storage">;
declare const messageId: Id<"messages">;

async function inQueries() {
  const url = await queryCtx.storage.getUrl(storageId);
  expectTrue<Equal<typeof url, string | null>>();
  // @ts-expect-error only storage ids
  await queryCtx.storage.getUrl(messageId);
  // A plain string is accepted (deprecated), as Convex code passes one; ids of other tables are not.
  const fromString = await queryCtx.storage.getUrl("_storage_0123456789abcdefghjkmnpqrs");
  expectTrue<Equal<typeof fromString, string | null>>();
  // @ts-expect-error queries are read-only
  await queryCtx.storage.delete(storageId);
  // @ts-expect-error queries cannot hand out upload URLs
  await queryCtx.storage.generateUploadUrl();
  const file = await queryCtx.db.system.get(storageId);
  expectTrue<Equal<typeof file, FileMetadata | null>>();
}

async function inMutations() {
  const uploadUrl = await mutationCtx.storage.generateUploadUrl();
  expectTrue<Equal<typeof uploadUrl, string>>();
  await mutationCtx.storage.delete(storageId);
  await mutationCtx.storage.getUrl(storageId);
  // Storing and reading contents work in mutations too (convex 1.48's StorageWriter).
  const stored = await mutationCtx.storage.store(new Blob(["x"], { type: "text/plain" }), { sha256: "..." });
  expectTrue<Equal<typeof stored, Id<"_storage">>>();
  // @ts-expect-error store takes a Blob
  await mutationCtx.storage.store("text");
  const blob = await mutationCtx.storage.get(storageId);
  expectTrue<Equal<typeof blob, Blob | null>>();
}

async function inActions() {
  const stored = await actionCtx.storage.store(new Blob(["x"]), { sha256: "..." });
  expectTrue<Equal<typeof stored, Id<"_storage">>>();
  const blob = await actionCtx.storage.get(stored);
  expectTrue<Equal<typeof blob, Blob | null>>();
  await httpCtx.storage.store(new Blob([]));
  await httpCtx.storage.delete(stored);
  // @ts-expect-error store takes a Blob
  await actionCtx.storage.store("text");
}

// Rows and validators.
const storageIdValidator = v.id("_storage");
expectTrue<Equal<Infer<typeof storageIdValidator>, Id<"_storage">>>();
expectTrue<Equal<Doc<"_storage">, FileMetadata>>();
expectTrue<Equal<Doc<"images">["storageId"], Id<"_storage">>>();
declare const row: Doc<"_storage">;
expectTrue<Equal<typeof row.contentType, string | undefined>>();

export { inQueries, inMutations, inActions };
