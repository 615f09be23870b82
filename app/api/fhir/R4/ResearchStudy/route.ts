import { requireActor } from "@/lib/auth/session";
import { fhirBase, fhirHandler, fhirJson } from "@/lib/fhir/http";
import { searchStudies, studyQuery } from "@/lib/fhir/read";
import { searchBundle } from "@/lib/fhir/resources";

export const dynamic = "force-dynamic";

/** The studies the caller may see (search by _id or identifier, the trial's code). */
export const GET = fhirHandler(async (request) => {
  const actor = await requireActor();
  const studies = await searchStudies(actor, studyQuery(new URL(request.url).searchParams));
  return fhirJson(searchBundle(studies, studies.length, { self: request.url }, fhirBase(request)));
});
