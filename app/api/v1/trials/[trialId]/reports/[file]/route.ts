import { requireActor } from "@/lib/auth/session";
import { apiHandler, requestLocale } from "@/lib/http/api";
import { notFound } from "@/lib/http/errors";
import { buildEnrolmentReport } from "@/lib/reports/enrolment-report";
import { reportCsv, reportPdf, reportXlsx } from "@/lib/reports/formats";
import { participantListing } from "@/lib/reports/listing";
import { participantOdm } from "@/lib/reports/odm";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const TYPES = {
  "enrolment.csv": "text/csv; charset=utf-8",
  "enrolment.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "enrolment.pdf": "application/pdf",
} as const;

/** The de-identified participant listing, streamed, in each of its formats. */
const LISTINGS = {
  "participants.csv": { build: participantListing, type: "text/csv; charset=utf-8", extension: "csv" },
  "participants.odm.xml": { build: participantOdm, type: "application/xml; charset=utf-8", extension: "odm.xml" },
} as const;

/**
 * GET /api/v1/trials/{id}/reports/enrolment.csv | .xlsx | .pdf ?country=&siteId=&cohortId=&from=&to=
 * GET /api/v1/trials/{id}/reports/participants.csv   the de-identified listing, streamed
 * GET /api/v1/trials/{id}/reports/participants.odm.xml   the same as CDISC ODM 1.3.2, streamed
 */
export const GET = apiHandler<{ params: Promise<{ trialId: string; file: string }> }>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, file } = await params;
  const listing = Object.hasOwn(LISTINGS, file) ? LISTINGS[file as keyof typeof LISTINGS] : undefined;
  if (listing) {
    const { plan, stream } = await listing.build(actor, trialId);
    return new Response(stream, {
      headers: {
        "Content-Type": listing.type,
        "Content-Disposition": `attachment; filename="${plan.trialCode}-participants-${new Date().toISOString().replace(/[:.]/g, "-")}.${listing.extension}"`,
        "Cache-Control": "no-store",
      },
    });
  }
  if (!Object.hasOwn(TYPES, file)) throw notFound();
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
