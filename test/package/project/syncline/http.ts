import { httpAction } from "./_generated/server";
import { api } from "./_generated/api";
import { httpRouter } from "syncline/server";

const http = httpRouter();

http.route({
  path: "/count",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const room = new URL(request.url).searchParams.get("room") ?? "";
    const messages = await ctx.runQuery(api.messages.list, { room });
    return Response.json({ room, count: messages.length });
  }),
});

export default http;
