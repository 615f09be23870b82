import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply, requestLocale } from "@/lib/http/api";
import { importDone, importPreview } from "@/lib/openapi/responses";
import { AppError } from "@/lib/http/errors";
import { readBytes, validationError } from "@/lib/http/validation";
import { renderFields } from "@/lib/i18n/messages";
import { IMPORT_MAX_BYTES, importParticipants, importQuery, previewImport } from "@/lib/participants/import";

export const dynamic = "force-dynamic";

/**
 * Imports a screening log: the body is the CSV file itself (Content-Type: text/csv), `?filename=` names it.
 * With `?preview=true` nothing is written: the answer is what would be imported, every row's problems and the rows
 * that look like records already there. `?dateOrder=mdy|dmy` reads 11/30/2026 or 30/11/2026; `?duplicates=keep`
 * imports rows the preview flagged as possible duplicates (refused otherwise, 409).
 */
export const POST = apiHandler<{ params: Promise<{ trialId: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("text/csv")) throw new AppError("invalid_request", "Send the file as text/csv.");
  const query = importQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw validationError(query.error);
  const bytes = await readBytes(request, IMPORT_MAX_BYTES);
  const { filename, preview, ...choices } = query.data;
  const options = { ...choices, fileName: filename || "import.csv" };
  const { trialId } = await params;
  if (preview === "true") {
    const answer = await previewImport(actor, trialId, bytes, options);
    return reply(importPreview, { ...answer, problems: renderFields(answer.problems, await requestLocale(request)) ?? {} });
  }
  return reply(importDone, await importParticipants(actor, trialId, bytes, options), { status: 201 });
});
