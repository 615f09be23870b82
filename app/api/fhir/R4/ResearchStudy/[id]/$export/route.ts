import { NextResponse } from "next/server";
import { requireActor } from "@/lib/auth/session";
import { fhirHandler } from "@/lib/fhir/http";
import { exportStudy } from "@/lib/fhir/read";
import { FHIR_NDJSON } from "@/lib/fhir/resources";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The study and its subjects the caller may see, one resource a line (synchronous, streamed). */
export const GET = fhirHandler<{ params: Promise<{ id: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  const stream = await exportStudy(actor, (await params).id);
  return new NextResponse(stream, { headers: { "Content-Type": FHIR_NDJSON, "Cache-Control": "no-store" } });
});
