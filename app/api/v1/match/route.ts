import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply, requestLocale } from "@/lib/http/api";
import { matchAnswer } from "@/lib/openapi/responses";
import { readJson } from "@/lib/http/validation";
import { matchPatient } from "@/lib/matching/match";

export const dynamic = "force-dynamic";

/**
 * Pre-screens a patient without registering anyone: `{results: [{subtype, result}], ageAtScreening?}`, results as a
 * report writes them. Answers every cohort of every trial the caller may see, with its state, places left and each
 * criterion's verdict in the caller's language. Writes nothing (a POST only because the results are a body).
 */
export const POST = apiHandler(async (request) => {
  const actor = await requireActor();
  return reply(matchAnswer, await matchPatient(actor, await readJson(request, 100_000), await requestLocale(request)));
});
