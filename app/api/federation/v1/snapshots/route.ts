// The federation link between two nodes (lib/federation/transport.ts). Not for users: a push is authenticated by the
// snapshots' own signatures (verified with the paired peer's keys), a poll by a request signed with the peer's key.
import { peerNodeRequest } from "@/lib/auth/access";
import { db } from "@/lib/db/client";
import { acknowledge, outboxAfter, pollQuery, pushBody, receivePush } from "@/lib/federation/transport";
import { apiHandler, reply } from "@/lib/http/api";
import { federationPoll, federationReceipt } from "@/lib/openapi/responses";
import { parseJsonBody, validationError } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

export const POST = apiHandler(async (request) => {
  const body = await parseJsonBody(request, pushBody, 50_000_000);
  await peerNodeRequest(db(), null);
  return reply(federationReceipt, await receivePush(db(), body.snapshots));
});

export const GET = apiHandler(async (request) => {
  const parsed = pollQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw validationError(parsed.error);
  const query = parsed.data;
  const peer = await peerNodeRequest(db(), { authorization: request.headers.get("authorization"), after: query.after });
  await acknowledge(db(), peer.origin, query.after);
  return reply(federationPoll, { snapshots: await outboxAfter(db(), query.after, query.wait, request.signal) });
});
