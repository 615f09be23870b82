// Demo data: a fictional collaboration of 43 hospitals recruiting to two precision-oncology trials over about
// 18 months, with each country's subtype prevalence, screen failures with reasons and staggered activation.
// Deterministic for a given "today" (seeded generator). Only ever run on an empty database (scripts/db.ts).
import { recordAudit } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/password";
import { addDays, daysBetween, toDbDate, todayIn, type IsoDate } from "@/lib/dates/calendar";
import type { Country, ParticipantStatus, Role, Sex, TestMethod, TestResult } from "@/lib/db/generated/enums";
import type { Db } from "@/lib/db/prisma";
import type { ScreenFailureReason, WithdrawalReason } from "@/lib/participants/status";
import { rebuild } from "@/lib/enrolment/tally";
import { criteriaOfSubtypes } from "@/lib/matching/criteria";
import { DEFAULT_PREVALENCE } from "@/lib/subtypes/prevalence";
import { DEFAULT_SUBTYPES } from "@/lib/subtypes/vocabulary";
import { DEMO_SITES } from "./demo/sites";

import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "./demo/accounts";

export { DEMO_ACCOUNTS, DEMO_PASSWORD };

/** The sites the two demo coordinators work at. */
export const DEMO_COORDINATOR_SITES = { US: "US-BOS1", CN: "CN-GZ1" } as const;

interface DemoTrial {
  code: string;
  title: string;
  phase: string;
  indication: string;
  target: number;
  sponsorName: string;
  /** Months before today that the first sites opened. */
  startMonthsAgo: number;
  /** Screened per site per month, US and China. */
  rate: Record<Country, number>;
  siteCodes: (code: string, index: number) => boolean;
  cohorts: { code: string; name: string; target: number; subtypes: string[] }[];
}

const DEMO_TRIALS: DemoTrial[] = [
  {
    code: "TB-201",
    title: "NOVA-LUNG: a phase 2 umbrella study of targeted therapies in oncogene-driven NSCLC",
    phase: "Phase 2",
    indication: "Advanced non-small-cell lung cancer",
    target: 320,
    sponsorName: "Meridian Oncology (fictional)",
    startMonthsAgo: 18,
    rate: { US: 0.9, CN: 1.2 },
    siteCodes: () => true,
    cohorts: [
      { code: "EGFR-S", name: "EGFR sensitizing (exon 19 deletion or L858R)", target: 180, subtypes: ["EGFR:ex19del", "EGFR:L858R"] },
      { code: "ALK", name: "ALK fusion", target: 50, subtypes: ["ALK:fusion"] },
      { code: "KRAS-G12C", name: "KRAS G12C", target: 60, subtypes: ["KRAS:G12C"] },
      { code: "MET14", name: "MET exon 14 skipping", target: 30, subtypes: ["MET:ex14skip"] },
    ],
  },
  {
    code: "TB-305",
    title: "EXON-20: zelvortinib in EGFR or HER2 exon 20 insertion NSCLC, a phase 2 basket study",
    phase: "Phase 2",
    indication: "Advanced NSCLC with exon 20 insertions",
    target: 70,
    sponsorName: "Meridian Oncology (fictional)",
    startMonthsAgo: 14,
    rate: { US: 0.7, CN: 1.0 },
    siteCodes: (_code, index) => index % 6 !== 5, // 36 of the 43 sites
    cohorts: [
      { code: "EGFR-20", name: "EGFR exon 20 insertion", target: 40, subtypes: ["EGFR:ex20ins"] },
      { code: "HER2-20", name: "HER2 (ERBB2) exon 20 insertion", target: 30, subtypes: ["ERBB2:ex20ins"] },
    ],
  },
];

/** mulberry32: small, fast, seeded. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const poisson = (mean: number) => {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = next(); p > limit; p *= next()) k++;
    return k;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return { next, poisson, pick, chance: (p: number) => next() < p, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const METHODS: TestMethod[] = ["NGS_TISSUE", "NGS_TISSUE", "NGS_PLASMA", "PCR"];

/**
 * `country`: seed one node of a partnership (lib/federation): every trial, site and account, but only that country's
 * patients (the random draws are the same, so the two nodes together hold exactly the one-node demo's patients).
 */
export async function seedDemo(db: Db, options: { today?: IsoDate; log?: (line: string) => void; country?: Country } = {}) {
  const log = options.log ?? (() => {});
  const rng = generator(20_261_128);
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await db.subtype.createMany({ data: DEFAULT_SUBTYPES.map((s) => ({ ...s, synonyms: [...s.synonyms] })) });
  const subtypes = await db.subtype.findMany();
  const subtypeId = new Map(subtypes.map((s) => [s.key, s.id]));

  await db.site.createMany({ data: [...DEMO_SITES] });
  const sites = await db.site.findMany({ orderBy: { code: "asc" } });
  const siteByCode = new Map(sites.map((s) => [s.code, s]));

  const users = await Promise.all(
    [
      { email: DEMO_ACCOUNTS.admin, displayName: "Ada Admin", isAdmin: true },
      { email: DEMO_ACCOUNTS.coordinatorUs, displayName: "Casey Coordinator", locale: "en" },
      { email: DEMO_ACCOUNTS.coordinatorCn, displayName: "陈协调", locale: "zh-CN" },
      { email: DEMO_ACCOUNTS.investigator, displayName: "Iris Investigator" },
      { email: DEMO_ACCOUNTS.sponsor, displayName: "Sam Sponsor" },
    ].map((user) => db.user.create({ data: { ...user, passwordHash } })),
  );
  const userByEmail = new Map(users.map((u) => [u.email, u]));
  const admin = userByEmail.get(DEMO_ACCOUNTS.admin)!;

  let participantsTotal = 0;
  for (const [trialIndex, spec] of DEMO_TRIALS.entries()) {
    const today = options.today ?? todayIn("UTC");
    const firstActivation = addDays(today, -Math.round(spec.startMonthsAgo * 30.4));
    const trial = await db.trial.create({
      data: {
        code: spec.code,
        title: spec.title,
        phase: spec.phase,
        indication: spec.indication,
        target: spec.target,
        sponsorName: spec.sponsorName,
        status: "RECRUITING",
        plannedStart: toDbDate(firstActivation),
        cohorts: {
          create: spec.cohorts.map((c) => ({
            code: c.code,
            name: c.name,
            target: c.target,
            subtypes: { create: c.subtypes.map((key) => ({ subtypeId: subtypeId.get(key)! })) },
            criteria: { create: { version: 1, criteria: { ...criteriaOfSubtypes(c.subtypes) }, reason: "Demo cohort: one of its subtypes detected" } },
          })),
        },
      },
      include: { cohorts: { include: { subtypes: { include: { subtype: true } } } } },
    });

    // Staggered activation: US sites over the first 9 months, Chinese sites over the first 8 (site start-up
    // times differ by country); a few sites are still planned.
    const trialSites = sites.filter((site, index) => spec.siteCodes(site.code, index));
    const enrolledPerCohort = new Map(trial.cohorts.map((c) => [c.id, 0]));
    const enrolledByCountry = new Map<string, number>();
    const panel = [
      ...new Set(trial.cohorts.flatMap((c) => c.subtypes.map((s) => s.subtype.key)).concat(["EGFR:ex19del", "EGFR:L858R", "ALK:fusion", "KRAS:G12C"])),
    ];

    for (const site of trialSites) {
      const isCoordinatorSite = site.code === DEMO_COORDINATOR_SITES.US || site.code === DEMO_COORDINATOR_SITES.CN;
      const planned = !isCoordinatorSite && rng.chance(0.07);
      const delayDays = isCoordinatorSite ? rng.int(0, 40) : rng.int(0, site.country === "US" ? 270 : 240);
      const activation = addDays(firstActivation, delayDays);
      const rate = spec.rate[site.country] * (0.5 + rng.next());
      const ts = await db.trialSite.create({
        data: {
          trialId: trial.id,
          siteId: site.id,
          status: planned ? "PLANNED" : "ACTIVE",
          plannedScreeningRate: Math.round(rate * 10) / 10,
          activationDate: planned ? null : toDbDate(activation),
          plannedActivationDate: toDbDate(planned ? addDays(today, rng.int(20, 120)) : activation),
        },
      });
      if (planned) continue;

      const days = daysBetween(activation, today);
      const count = rng.poisson((rate * days) / 30.4);
      const dates = Array.from({ length: count }, () => addDays(activation, rng.int(0, Math.max(0, days - 1)))).sort();
      let seq = 0;
      const prevalence = DEFAULT_PREVALENCE[site.country];
      for (const screeningDate of dates) {
        seq += 1;
        const screeningNumber = `${site.code}-${String(seq).padStart(4, "0")}`;
        const detected = new Set<string>();
        const testFailed = rng.chance(0.04);
        if (!testFailed) {
          // Mutually exclusive drivers (mostly), chosen by the country's prevalence.
          let u = rng.next();
          for (const key of panel) {
            u -= prevalence[key] ?? 0;
            if (u < 0) {
              detected.add(key);
              break;
            }
          }
          if (detected.has("EGFR:L858R") && rng.chance(0.05)) detected.add("EGFR:T790M");
        }
        const method = rng.pick(METHODS);
        const results = panel.map((key) => ({
          subtypeId: subtypeId.get(key)!,
          method,
          result: (testFailed ? "FAILED" : detected.has(key) ? "DETECTED" : "NOT_DETECTED") as TestResult,
        }));

        const history: { from: ParticipantStatus | null; to: ParticipantStatus; date: IsoDate; reasonCode?: string; cohortId?: string }[] = [
          { from: null, to: "SCREENED", date: screeningDate },
        ];
        let status: ParticipantStatus = "SCREENED";
        let cohortId: string | undefined;
        const age = daysBetween(screeningDate, today);
        const move = (to: ParticipantStatus, afterDays: number, extra: { reasonCode?: string; cohortId?: string } = {}) => {
          const date = addDays(history.at(-1)!.date, afterDays);
          if (date > today) return false;
          history.push({ from: status, to, date, ...extra });
          status = to;
          return true;
        };
        const cohort = trial.cohorts.find((c) => c.subtypes.some((s) => detected.has(s.subtype.key)));
        if (age >= 10) {
          if (testFailed) move("SCREEN_FAILED", rng.int(5, 12), { reasonCode: "TEST_FAILED" satisfies ScreenFailureReason });
          else if (!cohort) move("SCREEN_FAILED", rng.int(5, 14), { reasonCode: "BIOMARKER_NEGATIVE" satisfies ScreenFailureReason });
          else if (rng.chance(0.2))
            move("SCREEN_FAILED", rng.int(5, 14), {
              reasonCode: rng.pick<ScreenFailureReason>(["INCLUSION_NOT_MET", "EXCLUSION_MET", "INCLUSION_NOT_MET", "OTHER"]),
            });
          else if (move("ELIGIBLE", rng.int(5, 12))) {
            if (rng.chance(0.12)) move("SCREEN_FAILED", rng.int(2, 10), { reasonCode: "DECLINED" satisfies ScreenFailureReason });
            else if (move("CONSENTED", rng.int(2, 10))) {
              const full = enrolledPerCohort.get(cohort.id)! >= cohort.target;
              if (!full && move("ENROLLED", rng.int(3, 14), { cohortId: cohort.id })) {
                cohortId = cohort.id;
                enrolledPerCohort.set(cohort.id, enrolledPerCohort.get(cohort.id)! + 1);
                enrolledByCountry.set(`${cohort.id}:${site.country}`, (enrolledByCountry.get(`${cohort.id}:${site.country}`) ?? 0) + 1);
                if (rng.chance(0.1))
                  move("WITHDRAWN", rng.int(20, 200), { reasonCode: rng.pick<WithdrawalReason>(["ADVERSE_EVENT", "PROGRESSION", "PATIENT_DECISION"]) });
                else if (rng.chance(0.1)) move("COMPLETED", rng.int(150, 300));
              }
            }
          }
        }
        const sex: Sex = rng.chance(site.country === "CN" ? 0.45 : 0.55) ? "FEMALE" : "MALE";
        const ageAtScreening = Math.min(92, Math.max(24, Math.round(64 + (rng.next() + rng.next() + rng.next() - 1.5) * 18)));
        if (options.country && site.country !== options.country) continue; // kept on the other country's node
        const participant = await db.participant.create({
          data: {
            trialId: trial.id,
            siteId: site.id,
            screeningNumber,
            screeningDate: toDbDate(screeningDate),
            ageAtScreening,
            sex,
            status,
            cohortId: cohortId ?? null,
            version: history.length,
            createdById: admin.id,
            results: { create: results },
          },
        });
        await db.statusChange.createMany({
          data: history.map((h) => ({
            participantId: participant.id,
            fromStatus: h.from,
            toStatus: h.to,
            date: toDbDate(h.date),
            reasonCode: h.reasonCode ?? null,
            cohortId: h.cohortId ?? null,
            actorId: admin.id,
          })),
        });
      }
      if (options.country && site.country !== options.country) continue;
      await db.trialSite.update({ where: { id: ts.id }, data: { screeningSeq: seq } });
      participantsTotal += seq;
    }

    // Each country's places: what it has enrolled, and the rest of the target split evenly (the same on both nodes of
    // a partnership, which draw the same numbers).
    for (const cohort of trial.cohorts) {
      const us = enrolledByCountry.get(`${cohort.id}:US`) ?? 0;
      const cn = enrolledByCountry.get(`${cohort.id}:CN`) ?? 0;
      const free = Math.max(0, cohort.target - us - cn);
      await db.cohortAllocation.createMany({
        data: [
          { cohortId: cohort.id, country: "US", places: us + Math.floor(free / 2) },
          { cohortId: cohort.id, country: "CN", places: cn + free - Math.floor(free / 2) },
        ],
      });
    }

    const memberships: { email: string; role: Role; siteCode?: string }[] = [
      { email: DEMO_ACCOUNTS.coordinatorUs, role: "COORDINATOR", siteCode: DEMO_COORDINATOR_SITES.US },
      { email: DEMO_ACCOUNTS.coordinatorCn, role: "COORDINATOR", siteCode: DEMO_COORDINATOR_SITES.CN },
      { email: DEMO_ACCOUNTS.investigator, role: "INVESTIGATOR" },
      { email: DEMO_ACCOUNTS.sponsor, role: "SPONSOR" },
    ];
    await db.membership.createMany({
      data: memberships
        .filter((m) => !options.country || !m.siteCode || siteByCode.get(m.siteCode)!.country === options.country)
        .map((m) => ({
          trialId: trial.id,
          userId: userByEmail.get(m.email)!.id,
          role: m.role,
          siteId: m.siteCode ? siteByCode.get(m.siteCode)!.id : null,
        })),
    });
    log(`Seeded ${spec.code} with ${trialSites.length} sites (trial ${trialIndex + 1} of ${DEMO_TRIALS.length}).`);
  }

  for (const trial of await db.trial.findMany({ select: { id: true } })) await rebuild(db, trial.id);
  await db.$transaction((tx) =>
    recordAudit(tx, {
      actorId: null,
      action: "demo.seed",
      entityType: "System",
      after: { trials: DEMO_TRIALS.length, sites: sites.length, participants: participantsTotal },
    }),
  );
  log(`Seeded ${sites.length} sites, ${users.length} accounts and ${participantsTotal} participants.`);
  return { participants: participantsTotal };
}
