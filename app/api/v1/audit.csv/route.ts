import { exportAudit } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { apiHandler } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/** The filtered audit trail as CSV; the export itself is recorded in the trail. */
export const GET = apiHandler(async (request) => {
  const actor = await requireActor();
  const csv = await exportAudit(actor, Object.fromEntries(new URL(request.url).searchParams));
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${new Date().toISOString().replace(/[:.]/g, "-")}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
