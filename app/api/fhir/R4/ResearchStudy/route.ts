import { requireActor } from "@/lib/auth/session";
import { fhirBase, fhirHandler, fhirJson } from "@/lib/fhir/http";
import { searchStudies } from "@/lib/fhir/read";
import { searchBundle } from "@/lib/fhir/resources";
import { AppError } from "@/lib/http/errors";
import { msg } from "@/lib/i18n/messages";

export const dynamic = "force-dynamic";

/** The studies the caller may see (search by _id or identifier, the trial's code). */
export const GET = fhirHandler(async (request) => {
  const actor = await requireActor();
  const params = new URL(request.url).searchParams;
  for (const name of params.keys())
    if (!["_id", "identifier", "_format"].includes(name))
      throw new AppError("invalid_request", msg("fhir.badSearch"), { [name]: [msg("fhir.unknownParameter", { name })] });
  const code = params.get("identifier")?.split("|").at(-1);
  const studies = await searchStudies(actor, { ...(params.get("_id") ? { id: params.get("_id")! } : {}), ...(code ? { code } : {}) });
  return fhirJson(searchBundle(studies, studies.length, { self: request.url }, fhirBase(request)));
});
