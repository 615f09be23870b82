import { requireActor } from "@/lib/auth/session";
import { fhirHandler, fhirJson } from "@/lib/fhir/http";
import { subjectResource } from "@/lib/fhir/read";

export const dynamic = "force-dynamic";

/** One subject, under its pseudonymous screening number; not found unless the caller may see its site's patients. */
export const GET = fhirHandler<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  return fhirJson(await subjectResource(actor, (await params).id));
});
