// What the client scripts do, once with the ES module build (client.mjs) and once with the
// CommonJS build (client.cjs) of `syncline`: prints what happened as one JSON line.

module.exports = async function exercise({ SynclineClient, SynclineHttpClient, makeFunctionReference, referenceFor }, WebSocket, url, room) {
  // Plain JavaScript cannot import the generated api.ts; these are the references it holds.
  const list = makeFunctionReference("query", "messages:list");
  const send = makeFunctionReference("mutation", "messages:send");
  const shout = makeFunctionReference("action", "messages:shout");
  const wipe = referenceFor("mutation", "internal", "messages:wipe");
  const wipeAsIfPublic = makeFunctionReference("mutation", "messages:wipe");
  const refusal = (promise) => promise.then(() => "accepted", (error) => error.message);

  const client = new SynclineClient(url, { WebSocket, logger: false });
  const seen = [];
  let waiter;
  const until = (test) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such update; saw ${JSON.stringify(seen)}`)), 10_000);
      waiter = (bodies) => test(bodies) && (clearTimeout(timer), resolve());
      if (seen.length > 0) waiter(seen[seen.length - 1]);
    });
  const stop = client.subscribe(list, { room }, (messages) => {
    const bodies = messages.map((message) => message.body);
    seen.push(bodies);
    waiter?.(bodies);
  });
  await until((bodies) => bodies.length === 0);
  await client.mutation(send, { room, body: "hello" });
  const afterMutation = seen[seen.length - 1]; // read-your-writes: already there
  const shouted = await client.action(shout, { room, body: "hey" });
  await until((bodies) => bodies.length === 0); // the action's internal mutation, live
  const refused = {
    socket: await refusal(client.mutation(wipe, { room })),
    wire: await refusal(client.mutation(wipeAsIfPublic, { room })),
  };
  stop();
  await client.close();

  const http = new SynclineHttpClient(url, { logger: false });
  await http.mutation(send, { room, body: "over http" });
  const overHttp = (await http.query(list, { room })).map((message) => message.body);
  refused.http = await refusal(http.mutation(wipe, { room }));

  console.log(JSON.stringify({ seen, afterMutation, shouted, overHttp, refused }));
};
