// `syncline/devtools/dom`: the devtools panel without React, for any framework or none.

export { mountSynclineDevtools, type SynclineDevtoolsOptions, type SynclineDevtoolsHandle } from "./mount.js";
export { isDevelopment } from "./environment.js";
