import * as syncline from "syncline";
import WebSocket from "ws";
import exercise from "./exercise.cjs";

await exercise(syncline, WebSocket, process.argv[2], "esm");
