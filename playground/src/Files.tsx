import { useState, type ChangeEvent } from "react";
import { useMutation, useQuery } from "syncline/react";
import { api } from "../syncline/_generated/api";
import type { Id } from "../syncline/_generated/dataModel";

/** Uploads straight from the browser to the server's storage, and a live list of what is stored. */
export function Files() {
  const files = useQuery(api.files.list);
  const generateUploadUrl = useMutation(api.files.generateUploadUrl);
  const save = useMutation(api.files.save);
  const remove = useMutation(api.files.remove);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (file === undefined) return;
    setUploading(true);
    setError(undefined);
    try {
      // A fresh URL per upload: they expire, and a server restart invalidates them.
      const uploadUrl = await generateUploadUrl();
      const response = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": file.type }, body: file });
      if (!response.ok) throw new Error(`The upload failed (${response.status}): ${await response.text()}`);
      const { storageId } = (await response.json()) as { storageId: Id<"_storage"> };
      await save({ storageId, name: file.name });
    } catch (caught) {
      setError(`Could not upload ${file.name}: ${(caught as Error).message}`);
    } finally {
      setUploading(false);
      input.value = ""; // so choosing the same file again uploads it again
    }
  };

  return (
    <section className="files">
      <h2>Files</h2>
      <label className="upload">
        Attach a file <input type="file" onChange={(event) => void upload(event)} disabled={uploading} />
      </label>
      {uploading ? <p className="muted">Uploading…</p> : null}
      {error ? <pre role="alert">{error}</pre> : null}
      {files === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul data-testid="files">
          {files.map((file) => (
            <li key={file._id}>
              {file.url === null ? (
                <span className="muted">{file.name} (the stored file is gone)</span>
              ) : file.contentType?.startsWith("image/") ? (
                <a className="image" href={file.url} target="_blank" rel="noreferrer">
                  <img src={file.url} alt={file.name} />
                  <span className="name">{file.name}</span>
                </a>
              ) : (
                <a href={file.url} target="_blank" rel="noreferrer">
                  {file.name}
                </a>
              )}{" "}
              {file.size === null ? null : <span className="muted">{formatSize(file.size)}</span>}
              <button aria-label={`Delete ${file.name}`} onClick={() => void remove({ id: file._id })}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
