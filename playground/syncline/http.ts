import { httpAction } from "./_generated/server";
import { httpRouter } from "syncline/server";
import { mintDevToken } from "./devIssuer";

const http = httpRouter();

const cors = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
};

/** DEV ONLY: hands out a token for whatever name it is given. */
http.route({
  path: "/dev-only/token",
  method: "POST",
  handler: httpAction(async (_ctx, request) => {
    const { name, lifetimeSeconds } = (await request.json()) as { name?: string; lifetimeSeconds?: number };
    if (typeof name !== "string" || name.trim() === "") return new Response("name required", { status: 400, headers: cors });
    const token = await mintDevToken(name.trim(), Math.min(Math.max(lifetimeSeconds ?? 60, 5), 3600));
    return new Response(JSON.stringify({ token }), { headers: { ...cors, "Content-Type": "application/json" } });
  }),
});

http.route({ path: "/dev-only/token", method: "OPTIONS", handler: httpAction(async () => new Response(null, { status: 204, headers: cors })) });

export default http;
