import { requireActor } from "@/lib/auth/session";
import { fhirBase, fhirHandler, fhirJson } from "@/lib/fhir/http";
import { searchSubjects, subjectQuery } from "@/lib/fhir/read";
import { searchBundle } from "@/lib/fhir/resources";

export const dynamic = "force-dynamic";

/** A study's subjects the caller may see (study required; status, identifier, _id), a page at a time. */
export const GET = fhirHandler(async (request) => {
  const actor = await requireActor();
  const url = new URL(request.url);
  const query = subjectQuery(url.searchParams);
  const { total, resources } = await searchSubjects(actor, query);
  const page = (offset: number) => {
    const next = new URL(url);
    next.searchParams.set("_offset", String(offset));
    next.searchParams.set("_count", String(query.count));
    return next.toString();
  };
  const links = {
    self: page(query.offset),
    ...(query.offset + query.count < total ? { next: page(query.offset + query.count) } : {}),
    ...(query.offset > 0 ? { previous: page(Math.max(0, query.offset - query.count)) } : {}),
  };
  return fhirJson(searchBundle(resources, total, links, fhirBase(request)));
});
