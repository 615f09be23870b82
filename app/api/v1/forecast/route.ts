import { requireActor } from "@/lib/auth/session";
import { forecast } from "@/lib/forecast/engine";
import { forecastInput } from "@/lib/forecast/schema";
import { apiHandler, json } from "@/lib/http/api";
import { parseJsonBody } from "@/lib/http/validation";

export const dynamic = "force-dynamic";

/** Runs the recruitment forecast on a scenario: the same input and output as `npm run forecast`. */
export const POST = apiHandler(async (request) => {
  await requireActor();
  const input = await parseJsonBody(request, forecastInput, 2_000_000);
  return json(forecast(input));
});
