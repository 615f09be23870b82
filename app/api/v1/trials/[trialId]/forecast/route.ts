import { requireActor } from "@/lib/auth/session";
import { liveForecast } from "@/lib/forecast/live";
import { apiHandler, reply } from "@/lib/http/api";
import { liveForecast as liveForecastAnswer } from "@/lib/openapi/responses";

export const dynamic = "force-dynamic";

/** The trial's forecast from its live data, with the input that was used (its assumptions). */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  const live = await liveForecast(actor, (await params).trialId);
  return reply(liveForecastAnswer, { monthZero: live.monthZero, asOf: live.asOf, input: live.input, result: live.result });
});
