import { requireActor } from "@/lib/auth/session";
import { apiHandler } from "@/lib/http/api";
import { importTemplate } from "@/lib/participants/import";

export const dynamic = "force-dynamic";

/** A CSV template for the import: the columns, and an example row for each of the caller's sites in the trial. */
export const GET = apiHandler<{ params: Promise<{ trialId: string }> }>(async (_request, { params }) => {
  const actor = await requireActor();
  const { trialCode, csv } = await importTemplate(actor, (await params).trialId);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${trialCode}-screening-log-template.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
