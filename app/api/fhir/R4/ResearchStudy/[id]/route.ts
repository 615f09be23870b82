import { requireActor } from "@/lib/auth/session";
import { fhirHandler, fhirJson } from "@/lib/fhir/http";
import { studyResource } from "@/lib/fhir/read";

export const dynamic = "force-dynamic";

/** One study: the trial, its cohorts as arms, its sites, its recruitment target and enrolled number. */
export const GET = fhirHandler<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  return fhirJson(await studyResource(actor, (await params).id));
});
