import { requireActor } from "@/lib/auth/session";
import { revokeToken } from "@/lib/auth/tokens";
import { apiHandler } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** Revokes one of your tokens: it stops working at once. */
export const DELETE = apiHandler<{ params: Promise<{ tokenId: string }> }>(async (_request, { params }) => {
  await revokeToken(await requireActor(), (await params).tokenId);
  return new Response(null, { status: 204 });
});
