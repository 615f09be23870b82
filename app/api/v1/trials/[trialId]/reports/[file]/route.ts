import { requireActor } from "@/lib/auth/session";
import { apiHandler, requestLocale } from "@/lib/http/api";
import { notFound } from "@/lib/http/errors";
import { buildEnrolmentReport } from "@/lib/reports/enrolment-report";
import { reportCsv, reportPdf, reportXlsx } from "@/lib/reports/formats";
import { participantListing } from "@/lib/reports/listing";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const TYPES = {
  "enrolment.csv": "text/csv; charset=utf-8",
  "enrolment.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "enrolment.pdf": "application/pdf",
} as const;

/**
 * GET /api/v1/trials/{id}/reports/enrolment.csv | .xlsx | .pdf ?country=&siteId=&cohortId=&from=&to=
 * GET /api/v1/trials/{id}/reports/participants.csv   the de-identified listing, streamed
 */
export const GET = apiHandler<{ params: Promise<{ trialId: string; file: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, file } = await params;
  if (file === "participants.csv") {
    const { plan, stream } = await participantListing(actor, trialId);
    return new Response(stream, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${plan.trialCode}-participants-${new Date().toISOString().replace(/[:.]/g, "-")}.csv"`,
        "Cache-Control": "no-store",
      },
    });
  }
  if (!(file in TYPES)) throw notFound();
  const name = file as keyof typeof TYPES;
  const report = await buildEnrolmentReport(
    actor,
    trialId,
    Object.fromEntries([...new URL(request.url).searchParams].filter(([, value]) => value !== "")) /* a form's empty filter is no filter */,
    name.split(".")[1]!,
  );
  // The workbook and the PDF speak the reader's language (the PDF embeds its font); the CSV keeps machine-readable
  // English columns.
  const body = name.endsWith(".csv") ? reportCsv(report) : await (name.endsWith(".xlsx") ? reportXlsx : reportPdf)(report, await requestLocale(request));
  const stamp = report.asOf.replace(/[:.]/g, "-");
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    headers: {
      "Content-Type": TYPES[name],
      "Content-Disposition": `attachment; filename="${report.trial.code}-enrolment-${stamp}.${name.split(".")[1]}"`,
      "Cache-Control": "no-store",
    },
  });
});
