import { requireActor } from "@/lib/auth/session";
import { apiHandler, json } from "@/lib/http/api";
import { AppError } from "@/lib/http/errors";
import { readBytes } from "@/lib/http/validation";
import { IMPORT_MAX_BYTES, importParticipants } from "@/lib/participants/import";

export const dynamic = "force-dynamic";

/** Imports a screening log: the body is the CSV file itself (Content-Type: text/csv), `?filename=` names it. */
export const POST = apiHandler<{ params: Promise<{ trialId: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("text/csv")) throw new AppError("invalid_request", "Send the file as text/csv.");
  const bytes = await readBytes(request, IMPORT_MAX_BYTES);
  const fileName = (new URL(request.url).searchParams.get("filename") ?? "import.csv").slice(0, 200);
  return json(await importParticipants(actor, (await params).trialId, bytes, fileName), { status: 201 });
});
