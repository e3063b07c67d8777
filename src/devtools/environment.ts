// Whether this is a development build. Bundlers agree on one convention: they replace the text
// `process.env.NODE_ENV` with the mode's name (Vite - in dependencies, which is where Syncline
// lives in an app, and in builds -, webpack by its mode, esbuild when minifying, Parcel, Rollup
// with its replace plugin). `import.meta.env.DEV` is Vite's alone and would break elsewhere. Where
// nothing replaced it and there is no `process` (a page without a bundler), this counts as
// development: devtools are then shown, which is what someone trying things out wants.

/**
 * True unless the app was built for production.
 *
 * @example
 * if (isDevelopment()) mountSynclineDevtools(client);
 */
export function isDevelopment(): boolean {
  try {
    return process.env.NODE_ENV !== "production";
  } catch {
    return true;
  }
}
