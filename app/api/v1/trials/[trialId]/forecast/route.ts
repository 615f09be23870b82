import { requireActor } from "@/lib/auth/session";
import { forecastOffThread } from "@/lib/forecast/pool";
import { liveForecastInput } from "@/lib/forecast/live";
import { apiHandler, json } from "@/lib/http/api";
import { enforce, LIMITS } from "@/lib/http/rate-limit";

export const dynamic = "force-dynamic";

/** The trial's forecast from its live data, with the input that was used (its assumptions). */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  await enforce(LIMITS.forecasts(actor.id));
  const live = await liveForecastInput(actor, (await params).trialId);
  return json({ monthZero: live.monthZero, asOf: live.asOf, input: live.input, result: await forecastOffThread(live.input) });
});
