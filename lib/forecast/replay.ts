// Replays trials' own histories (`npm run backtest -- --replay`): for each trial in the database, the live forecast
// as it would have been made at months 6, 9 and 12 of the trial (counts, sites and activations as they stood then),
// set against what happened next: the patients enrolled by the last day of the data. A developer's command on the
// demo (or on a copy of a real database): it reads participant rows to rebuild past counts and prints counts only.
//
// What it cannot know: plans as they stood then (a site's planned date and rate are today's), and tests' results are
// taken as they are now. Voided records are left out at every cut-off.
import "server-only";
import { addDays, fromDbDate, type IsoDate, DAYS_PER_MONTH } from "@/lib/dates/calendar";
import type { Db } from "@/lib/db/prisma";
import { contributions, type ParticipantSnapshot, type TallyRow } from "@/lib/enrolment/tally";
import { stepsInEffect } from "@/lib/participants/steps";
import { runForecast } from "./engine";
import { forecastInputFromCounts } from "./live";
import { forecastInput } from "./schema";

export interface ReplayRow {
  trial: string;
  cutOff: IsoDate;
  month: number;
  /** Enrolled by the cut-off, and by the end of the data. */
  enrolledThen: number;
  enrolledAtEnd: number;
  /** The forecast of enrolled by the end of the data: 10th, 50th and 90th percentiles (joint scenario). */
  forecast: { p10: number; p50: number; p90: number };
  inside: boolean;
}

/** The counters a trial had on `day`: every participant screened by then, with the steps taken by then. */
export function talliesOn(participants: readonly ParticipantSnapshot[], day: IsoDate): TallyRow[] {
  const counts = new Map<string, TallyRow>();
  for (const p of participants) {
    if (p.screeningDate > day) continue;
    for (const c of contributions({ ...p, steps: p.steps.filter((s) => s.date <= day) })) {
      const id = `${c.dimension}|${c.key}|${c.metric}`;
      const row = counts.get(id) ?? { ...c, value: 0 };
      row.value += 1;
      counts.set(id, row);
    }
  }
  return [...counts.values()];
}

export async function replayHistories(db: Db, end: IsoDate, months: readonly number[] = [6, 9, 12], replicates = 4_000): Promise<ReplayRow[]> {
  const trials = await db.trial.findMany({
    orderBy: { code: "asc" },
    include: {
      cohorts: { orderBy: { code: "asc" }, include: { subtypes: { include: { subtype: { select: { key: true } } } } } },
      trialSites: { include: { site: { select: { code: true, country: true } } } },
    },
  });
  const countryOf = new Map((await db.site.findMany({ select: { id: true, country: true } })).map((s) => [s.id, s.country]));
  const rows: ReplayRow[] = [];
  for (const trial of trials) {
    const participants: ParticipantSnapshot[] = (
      await db.participant.findMany({
        where: { trialId: trial.id, voidedAt: null },
        select: {
          siteId: true,
          cohortId: true,
          screeningDate: true,
          statusChanges: { where: stepsInEffect, select: { toStatus: true, date: true, reasonCode: true } },
          results: { select: { result: true, subtype: { select: { key: true } } } },
        },
      })
    ).map((p) => ({
      siteId: p.siteId,
      country: countryOf.get(p.siteId)!,
      cohortId: p.cohortId,
      screeningDate: fromDbDate(p.screeningDate),
      voided: false,
      steps: p.statusChanges.map((s) => ({ to: s.toStatus, date: fromDbDate(s.date), reasonCode: s.reasonCode })),
      results: p.results.map((r) => ({ key: r.subtype.key, result: r.result })),
    }));
    const enrolledOn = (day: IsoDate) => talliesOn(participants, day).reduce((n, r) => n + (r.dimension === "cohort" ? r.value : 0), 0);
    const enrolledAtEnd = enrolledOn(end);
    for (const month of months) {
      const cutOff = addDays(fromDbDate(trial.plannedStart), Math.round(month * DAYS_PER_MONTH));
      if (cutOff >= end) continue;
      // The sites as they stood: one activated after the cut-off was still planned, for the date it opened on.
      const then = {
        ...trial,
        trialSites: trial.trialSites.map((ts) =>
          ts.activationDate && fromDbDate(ts.activationDate) > cutOff
            ? { ...ts, status: "PLANNED", activationDate: null, plannedActivationDate: ts.plannedActivationDate ?? ts.activationDate }
            : ts,
        ),
      };
      const { input, monthZero } = forecastInputFromCounts(then, talliesOn(participants, cutOff), cutOff);
      // The horizon is the end of the data, so the fan's last point is the forecast of what was enrolled by then.
      const endMonth = Math.ceil(((Date.parse(end) - Date.parse(monthZero)) / 86_400_000 / DAYS_PER_MONTH) * 100) / 100;
      const result = runForecast(forecastInput.parse({ ...input, replicates, horizonMonths: endMonth }));
      const joint = result.scenarios.find((s) => s.countries.length > 1) ?? result.scenarios.at(-1)!;
      const point = joint.enrolmentFan.at(-1)!;
      rows.push({
        trial: trial.code,
        cutOff,
        month,
        enrolledThen: enrolledOn(cutOff),
        enrolledAtEnd,
        forecast: { p10: point.p10, p50: point.p50, p90: point.p90 },
        inside: enrolledAtEnd >= point.p10 && enrolledAtEnd <= point.p90,
      });
    }
  }
  return rows;
}
