// What vite.config.ts defines for the page.
interface ImportMetaEnv {
  /** The Syncline backend's URL (from SYNCLINE_URL, which `syncline dev --run` sets). */
  readonly SYNCLINE_URL: string;
}
