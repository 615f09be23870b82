import { requireActor } from "@/lib/auth/session";
import { forecastOffThread } from "@/lib/forecast/pool";
import { forecastInput } from "@/lib/forecast/schema";
import { apiHandler, reply } from "@/lib/http/api";
import { forecastResult } from "@/lib/openapi/responses";
import { enforce, LIMITS } from "@/lib/http/rate-limit";
import { parseJsonBody } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

/** Runs the recruitment forecast on a scenario: the same input and output as `npm run forecast`. */
export const POST = apiHandler(async (request) => {
  const actor = await requireActor();
  await enforce(LIMITS.forecasts(actor.id));
  const input = await parseJsonBody(request, forecastInput, 2_000_000);
  return reply(forecastResult, await forecastOffThread(input));
});
