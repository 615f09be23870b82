// The egress log as evidence for a regulator: every snapshot this node signed for its peer, one JSON object a line.
import { requireActor } from "@/lib/auth/session";
import { egressLog } from "@/lib/federation/admin";
import { apiHandler } from "@/lib/http/api";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async () => {
  const actor = await requireActor();
  return new Response(await egressLog(actor), {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "content-disposition": 'attachment; filename="trialbridge-egress.jsonl"' },
  });
});
