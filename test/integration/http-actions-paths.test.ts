// HTTP actions on the site port - how a request's path becomes the route and the
// Request's URL.

import { describe, expect, it } from "vitest";
import { startServer } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

const HTTP_TS = `import { httpRouter, httpAction } from "syncline/server";
const http = httpRouter();
// The documentation's first example.
http.route({ path: "/", method: "GET", handler: httpAction(async (ctx, request) => new Response(\`Hello from \${request.url}\`)) });
http.route({ path: "/postMessage", method: "POST", handler: httpAction(async () => new Response(null, { status: 200 })) });
export default http;`;

describe("request paths", () => {
  it("a path starting with // is that path: not routed to / and not read as another host", async () => {
    const project = tempProject({ "http.ts": HTTP_TS }, cleanups);
    const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
    cleanups.push(() => server.close());

    // fetch keeps the path as written: the request line is "GET //postMessage?x=1 HTTP/1.1".
    expect(new URL(`${server.siteUrl}//postMessage?x=1`).pathname).toBe("//postMessage");
    const response = await fetch(`${server.siteUrl}//postMessage?x=1`);
    const text = await response.text();
    // Whatever the answer, the "/" route must not see a Request for http://postmessage/.
    expect(text).not.toContain("http://postmessage/");
    // There is no route for //postMessage.
    expect(response.status).toBe(404);
  });
});
