// A trial's alert rules as a file (format trialbridge.alert-rules/1, cohorts by code): GET exports the rules in
// force, POST imports a file (all or none; rules already in force are passed over). Investigators and administrators.
import { exportAlertRules, importAlertRules } from "@/lib/alerts/rules";
import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { alertRules, alertRulesImported } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  const trialId = (await params).trialId;
  const file = await exportAlertRules(actor, trialId);
  return reply(alertRules, file, { headers: { "Content-Disposition": `attachment; filename="${file.trial}-alert-rules.json"` } });
});

export const POST = apiHandler<{ params: Promise<{ trialId: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const trialId = (await params).trialId;
  return reply(alertRulesImported, await importAlertRules(actor, trialId, await readJson(request, 200_000)), { status: 201 });
});
