// The de-identified participant listing (CSV, SDTM-style columns), streamed from the database in keyset batches so
// that a million rows never sit in memory. Who may have it: investigators (the sites they may see) and sponsors
// where the trial allows it (every site). Ages over 89 are shown as 90+ (HIPAA Safe Harbor); only the year and month
// of screening are given. Patient-level genetic results of patients at Chinese sites do not leave China: for a user
// outside China (anyone whose memberships in the trial are not all at Chinese sites) their SUBTYPE is withheld,
// unless the trial records a cross-border approval reference.
import "server-only";
import { csvRows } from "@/lib/http/csv";
import { listingSites, trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/client";
import { streamPool } from "@/lib/db/stream-pool";
import { STEP_IN_EFFECT_SQL } from "@/lib/participants/steps";

export const LISTING_COLUMNS = ["STUDYID", "SITEID", "COUNTRY", "SUBJID", "AGE", "SEX", "SCRNYM", "SUBTYPE", "DISPOSITION", "DSREAS", "COHORT"] as const;
const BATCH = 1_000;
export const WITHHELD = "WITHHELD (cross-border)";

const DISPOSITION: Record<string, string> = {
  SCREENED: "SCREENED",
  ELIGIBLE: "SCREENED",
  CONSENTED: "SCREENED",
  SCREEN_FAILED: "SCRNFAIL",
  ENROLLED: "ENROLLED",
  WITHDRAWN: "WITHDRAWN",
  COMPLETED: "COMPLETED",
};

export interface ListingRow {
  id: string;
  screeningNumber: string;
  siteCode: string;
  country: string;
  ageAtScreening: number;
  sex: string;
  month: string;
  status: string;
  reason: string | null;
  cohort: string | null;
  subtypes: string | null;
  /** The year and month the current status took effect (null for a participant never moved). */
  statusMonth: string | null;
}

export interface ListingPlan {
  trialCode: string;
  siteIds: string[] | "all";
  withholdChineseGenetics: boolean;
}

/** Decides whether the actor may have the listing, and what it holds. */
export async function planListing(actor: Actor, trialId: string): Promise<ListingPlan> {
  const access = await trialAccess(actor, trialId);
  const trial = await db().trial.findUniqueOrThrow({
    where: { id: trialId },
    select: { code: true, sponsorListingAllowed: true, crossBorderApprovalRef: true },
  });
  const sites = await listingSites(actor, access, trial);
  const siteIds = sites === "all" ? "all" : [...sites];
  return { trialCode: trial.code, siteIds, withholdChineseGenetics: await withholdsChineseGenetics(actor, trialId, trial) };
}

/**
 * Whether patient-level genetic detail of Chinese sites' patients is withheld from the actor: anyone whose
 * memberships in the trial are not all at Chinese sites, unless the trial records a cross-border approval. The
 * listing asks here (and withholds the results), as does FHIR (which also leaves out the cohort, naming a subtype).
 */
export async function withholdsChineseGenetics(actor: Actor, trialId: string, known?: { crossBorderApprovalRef: string | null }): Promise<boolean> {
  const [trial, memberships] = await Promise.all([
    known ?? db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { crossBorderApprovalRef: true } }),
    db().membership.findMany({ where: { userId: actor.id, trialId, revokedAt: null }, select: { site: { select: { country: true } } } }),
  ]);
  const inChina = memberships.length > 0 && memberships.every((m) => m.site?.country === "CN");
  return !inChina && !trial.crossBorderApprovalRef;
}

/** Whether this row's genetic detail is withheld from the plan's recipient (a Chinese site's, under the rule). */
export const withholdsGenetics = (plan: ListingPlan, row: ListingRow) => plan.withholdChineseGenetics && row.country === "CN";

function toCsvRow(plan: ListingPlan, row: ListingRow): string[] {
  const withhold = withholdsGenetics(plan, row);
  return [
    plan.trialCode,
    row.siteCode,
    row.country,
    row.screeningNumber,
    row.ageAtScreening > 89 ? "90+" : String(row.ageAtScreening),
    row.sex[0]!,
    row.month,
    withhold ? WITHHELD : (row.subtypes ?? ""),
    DISPOSITION[row.status] ?? row.status,
    row.reason ?? "",
    row.cohort ?? "",
  ];
}

/** The listing's rows in keyset batches of BATCH, oldest id first: what the CSV and the ODM file are made of. */
export async function* listingBatches(trialId: string, plan: ListingPlan): AsyncGenerator<ListingRow[]> {
  const sites = plan.siteIds === "all" ? null : plan.siteIds;
  for (let after = ""; ; ) {
    const { rows: raw } = await streamPool().query<unknown[]>({
      rowMode: "array",
      text: `
        SELECT p."id", p."screeningNumber", s."code", s."country"::text, p."ageAtScreening", p."sex"::text,
               to_char(p."screeningDate", 'YYYY-MM'), p."status"::text,
               (SELECT sc."reasonCode" FROM "StatusChange" sc WHERE sc."participantId" = p."id" AND sc."toStatus" = 'SCREEN_FAILED' AND ${STEP_IN_EFFECT_SQL} LIMIT 1),
               c."code",
               (SELECT string_agg(st."key", ';' ORDER BY st."key") FROM "ParticipantResult" r JOIN "Subtype" st ON st."id" = r."subtypeId"
                 WHERE r."participantId" = p."id" AND r."result" = 'DETECTED'),
               (SELECT to_char(max(sc."date"), 'YYYY-MM') FROM "StatusChange" sc WHERE sc."participantId" = p."id" AND sc."toStatus" = p."status" AND ${STEP_IN_EFFECT_SQL})
          FROM "Participant" p
          JOIN "Site" s ON s."id" = p."siteId"
          LEFT JOIN "Cohort" c ON c."id" = p."cohortId"
         WHERE p."trialId" = $1 AND p."voidedAt" IS NULL AND p."id" > $2 AND ($3::text[] IS NULL OR p."siteId" = ANY($3))
         ORDER BY p."id"
         LIMIT $4`,
      values: [trialId, after, sites, BATCH],
    });
    const rows = raw.map(
      ([id, screeningNumber, siteCode, country, ageAtScreening, sex, month, status, reason, cohort, subtypes, statusMonth]) =>
        ({ id, screeningNumber, siteCode, country, ageAtScreening, sex, month, status, reason, cohort, subtypes, statusMonth }) as ListingRow,
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!.id;
  }
}

/** A stream of `head`, then each batch's text, then `tail`: the batches are read as the reader pulls. */
export function batchStream(batches: AsyncGenerator<ListingRow[]>, head: string, each: (rows: ListingRow[]) => string, tail = ""): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(head));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        if (tail) controller.enqueue(encoder.encode(tail));
        controller.close();
      } else controller.enqueue(encoder.encode(each(next.value)));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

/** Streams the listing as CSV (UTF-8 with BOM), reading BATCH rows at a time. */
export function listingStream(trialId: string, plan: ListingPlan): ReadableStream<Uint8Array> {
  return batchStream(listingBatches(trialId, plan), `\uFEFF${csvRows([LISTING_COLUMNS])}`, (rows) => csvRows(rows.map((r) => toCsvRow(plan, r))));
}

/** Records the download of the listing in `format` (the audit says whether genetic detail was withheld). */
export async function auditListingDownload(actor: Actor, trialId: string, plan: ListingPlan, format: "csv" | "odm") {
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actorId: actor.id,
      action: "report.download",
      entityType: "Trial",
      entityId: trialId,
      trialId,
      after: { report: "participants", format, withheld: plan.withholdChineseGenetics },
    }),
  );
}

export async function participantListing(actor: Actor, trialId: string) {
  const plan = await planListing(actor, trialId);
  await auditListingDownload(actor, trialId, plan, "csv");
  return { plan, stream: listingStream(trialId, plan) };
}
