import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { trialList } from "@/lib/openapi/responses";
import { listTrials } from "@/lib/trials/queries";

export const dynamic = "force-dynamic";

export const GET = apiHandler(async () => {
  const actor = await requireActor();
  const trials = await listTrials(actor);
  return reply(trialList, {
    items: trials.map((t) => ({
      id: t.id,
      code: t.code,
      title: t.title,
      target: t.target,
      screened: t.screened,
      enrolled: t.enrolled,
      byCountry: t.byCountry,
    })),
  });
});
