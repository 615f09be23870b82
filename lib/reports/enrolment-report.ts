// The enrolment report for sponsors and steering committees: the dashboard's numbers (the same kept counters as
// GET /api/v1/trials/{id}/enrolment), filtered by country, site or cohort and, for the monthly timeline, by date,
// with the time they were read and a summary of the current forecast. Counts only: no patient-level data.
import "server-only";
import { z } from "zod";
import { performanceFrom, type SitePerformance } from "@/lib/performance/sites";
import { trialAccess } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/session";
import { recordAudit } from "@/lib/audit/record";
import { isIsoDate } from "@/lib/dates/calendar";
import { db } from "@/lib/db/client";
import { enrolmentSummary, METRICS, type Counts, type EnrolmentSummary } from "@/lib/enrolment/summary";
import { forecastOffThread } from "@/lib/forecast/pool";
import { liveForecastInput } from "@/lib/forecast/live";
import { validationError } from "@/lib/http/validation";

export const reportFilters = z.strictObject({
  country: z.enum(["US", "CN"]).optional(),
  siteId: z.string().max(64).optional(),
  cohortId: z.string().max(64).optional(),
  from: z.string().refine(isIsoDate, { error: "not a calendar date (YYYY-MM-DD)" }).optional(),
  to: z.string().refine(isIsoDate, { error: "not a calendar date (YYYY-MM-DD)" }).optional(),
});
export type ReportFilters = z.infer<typeof reportFilters>;

export interface EnrolmentReport {
  asOf: string;
  trial: { id: string; code: string; title: string; phase: string; sponsorName: string; target: number };
  filters: ReportFilters;
  summary: EnrolmentSummary;
  forecast: { name: string; p10: number | null; p50: number | null; p90: number | null; incompleteShare: number }[];
  monthZero: string;
  /** The sites' performance (lib/performance/sites.ts), for the workbook; the sites kept by the filters. */
  performance: SitePerformance[] | null;
}

const zero = (): Counts => ({ screened: 0, eligible: 0, screenFailed: 0, consented: 0, enrolled: 0, withdrawn: 0, completed: 0 });

/** The summary restricted to the filters. Totals are recomputed from the sites kept, so the parts add up. */
export function applyFilters(summary: EnrolmentSummary, filters: ReportFilters): EnrolmentSummary {
  const bySite = summary.bySite.filter((s) => (!filters.country || s.country === filters.country) && (!filters.siteId || s.siteId === filters.siteId));
  const totals = zero();
  const byCountry = { US: zero(), CN: zero() };
  for (const site of bySite) {
    for (const m of METRICS) {
      totals[m] += site[m];
      byCountry[site.country][m] += site[m];
    }
  }
  const countries: ("US" | "CN")[] = filters.country ? [filters.country] : ["US", "CN"];
  const byCohort = summary.byCohort
    .filter((c) => !filters.cohortId || c.cohortId === filters.cohortId)
    .map((c) => ({ ...c, enrolled: countries.reduce((sum, k) => sum + c.byCountry[k], 0) }));
  const timeline = summary.timeline.filter((m) => (!filters.from || m.month >= filters.from.slice(0, 7)) && (!filters.to || m.month <= filters.to.slice(0, 7)));
  return { ...summary, bySite, totals, byCountry, byCohort, timeline };
}

export async function buildEnrolmentReport(actor: Actor, trialId: string, rawFilters: Record<string, string>, format: string): Promise<EnrolmentReport> {
  await trialAccess(actor, trialId);
  const parsed = reportFilters.safeParse(rawFilters);
  if (!parsed.success) throw validationError(parsed.error);
  const filters = parsed.data;
  // The CSV prints no forecast: it costs neither the live input's scans nor a simulation.
  const printsForecast = format !== "csv";
  const [trial, summary, live] = await Promise.all([
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { id: true, code: true, title: true, phase: true, sponsorName: true, target: true } }),
    enrolmentSummary(db(), trialId),
    printsForecast ? liveForecastInput(actor, trialId) : null,
  ]);
  const performance = format === "xlsx" ? await performanceFrom(summary) : null; // the workbook's sheet, from the same summary
  const result = live ? await forecastOffThread({ ...live.input, replicates: 5_000 }) : null;
  await db().$transaction((tx) =>
    recordAudit(tx, {
      actorId: actor.id,
      action: "report.download",
      entityType: "Trial",
      entityId: trialId,
      trialId,
      after: { report: "enrolment", format, filters },
    }),
  );
  const filtered = applyFilters(summary, filters);
  const kept = new Set(filtered.bySite.map((x) => x.code));
  return {
    asOf: summary.asOf,
    trial,
    filters,
    summary: filtered,
    performance: performance ? performance.sites.filter((x) => kept.has(x.code)) : null,
    forecast: (result?.scenarios ?? []).map((s) => ({
      name: s.name,
      p10: s.completionMonth.p10,
      p50: s.completionMonth.p50,
      p90: s.completionMonth.p90,
      incompleteShare: s.incompleteShare,
    })),
    monthZero: live?.monthZero ?? summary.asOf.slice(0, 10),
  };
}

/** A month offset from the forecast's month 0 as YYYY-MM. */
export function monthLabel(monthZero: string, months: number | null): string {
  if (months === null) return "not within the horizon";
  const date = new Date(`${monthZero}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + Math.round(months * 30.4375));
  return date.toISOString().slice(0, 7);
}
