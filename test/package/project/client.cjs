const syncline = require("syncline");
const WebSocket = require("ws");
const exercise = require("./exercise.cjs");

exercise(syncline, WebSocket, process.argv[2], "cjs").catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
