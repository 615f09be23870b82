// FHIR R4 (issue 19 item 3): ResearchStudy and ResearchSubject as each caller may read them, validated against the
// official R4 JSON Schema; a sponsor gets no ResearchSubject; a Chinese site's patient's cohort (which names a
// molecular subtype) never reaches a caller the cross-border rule excludes.
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { enrolmentSummary } from "@/lib/enrolment/summary";
import { exportStudy, searchStudies, searchSubjects, studyResource, subjectQuery, subjectResource } from "@/lib/fhir/read";
import { capabilityStatement, researchStudy, RECRUITMENT_EXTENSION, searchBundle, SUBJECT_STATUS } from "@/lib/fhir/resources";
import { AppError } from "@/lib/http/errors";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";
import { fhirErrors } from "../support/fhir";

let trialId: string;
let investigator: Actor;
let sponsor: Actor;
let coordinatorCn: Actor;
let coordinatorUs: Actor;
const all = (trial: string) => ({ trialId: trial, statuses: null, count: 200, offset: 0 });

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
  sponsor = await actorFor(DEMO_ACCOUNTS.sponsor);
  coordinatorCn = await actorFor(DEMO_ACCOUNTS.coordinatorCn);
  coordinatorUs = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
});

describe("FHIR R4", () => {
  it("the schema itself catches what is wrong (a bad status code, an unknown element)", () => {
    const study = researchStudy({
      id: "x",
      code: "X",
      title: "t",
      phase: "Phase 2",
      indication: "NSCLC",
      status: "RECRUITING",
      sponsorName: "S",
      plannedStart: "2026-01-01",
      target: 10,
      enrolled: 2,
      cohorts: [],
      sites: [],
    });
    expect(fhirErrors(study)).toEqual([]);
    expect(fhirErrors({ ...study, status: "recruiting" })).not.toEqual([]);
    expect(fhirErrors({ ...study, enrolled: 2 })).not.toEqual([]);
  });

  it("gives each trial as a valid ResearchStudy with the dashboard's numbers", async () => {
    const study = await studyResource(sponsor, trialId); // a sponsor reads counts like any member
    expect(fhirErrors(study)).toEqual([]);
    const summary = await enrolmentSummary(db(), trialId);
    expect(study.arm.map((a) => a.name)).toEqual(summary.byCohort.map((c) => c.code));
    const recruitment = study.extension.find((e) => e.url === RECRUITMENT_EXTENSION)!.extension;
    expect(recruitment).toEqual([
      { url: "targetNumber", valueUnsignedInt: summary.target },
      { url: "actualNumber", valueUnsignedInt: summary.totals.enrolled },
    ]);
    expect(study.site).toHaveLength(summary.bySite.length);
    const visible = await searchStudies(sponsor, {});
    expect(visible.map((s) => s.id)).toContain(trialId);
    expect(fhirErrors(searchBundle(visible, visible.length, { self: "https://example.org/x" }, "https://example.org"))).toEqual([]);
    // R4 is 4.0.1 (a technical correction of 4.0.0); the JSON Schema HL7 published with R4 lists versions up to 4.0.0.
    const capability = capabilityStatement("https://example.org/api/fhir/R4", { version: "0.1.0" });
    expect(capability.fhirVersion).toBe("4.0.1");
    expect(fhirErrors({ ...capability, fhirVersion: "4.0.0" })).toEqual([]);
  });

  it("gives the subjects a caller may see, valid, with their status mapped, and none to a sponsor", async () => {
    const seen = await searchSubjects(investigator, all(trialId));
    const rows = await db().participant.count({ where: { trialId, voidedAt: null } });
    expect(seen.total).toBe(rows);
    for (const subject of seen.resources) expect(fhirErrors(subject)).toEqual([]);
    const byStatus = await db().participant.groupBy({ by: ["status"], where: { trialId, voidedAt: null }, _count: true });
    const onStudy = await searchSubjects(investigator, { ...all(trialId), statuses: ["on-study"] });
    expect(onStudy.total).toBe(byStatus.find((g) => g.status === "ENROLLED")?._count ?? 0);
    const ended = seen.resources.find((s) => s.status === SUBJECT_STATUS.SCREEN_FAILED)!;
    expect(ended.period.end).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    expect(await searchSubjects(sponsor, all(trialId))).toEqual({ total: 0, resources: [] });
    const one = seen.resources[0]!;
    await expect(subjectResource(sponsor, one.id)).rejects.toMatchObject({ code: "not_found" });
    // A coordinator sees their own site's subjects only.
    const cnSites = new Set((await db().site.findMany({ where: { country: "CN" }, select: { code: true } })).map((s) => s.code));
    const usSeen = await searchSubjects(coordinatorUs, all(trialId));
    expect(usSeen.total).toBeGreaterThan(0);
    for (const s of usSeen.resources) expect(cnSites.has(s.identifier[0]!.value.split("-").slice(0, 2).join("-"))).toBe(false);
  });

  it("never gives a Chinese patient's cohort to a caller outside China, and gives it to the Chinese coordinator", async () => {
    const trial = await db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { crossBorderApprovalRef: true } });
    expect(trial.crossBorderApprovalRef).toBeNull();
    // A patient in a cohort at the Chinese coordinator's own site.
    const site = (await db().membership.findFirstOrThrow({ where: { userId: coordinatorCn.id, trialId, revokedAt: null }, select: { siteId: true } })).siteId!;
    const cnInCohort = await db().participant.findFirstOrThrow({
      where: { trialId, siteId: site, voidedAt: null, cohortId: { not: null }, trialSite: { site: { country: "CN" } } },
      select: { id: true, cohort: { select: { code: true } } },
    });
    const toInvestigator = await subjectResource(investigator, cnInCohort.id); // the lead investigator, in the US
    expect(toInvestigator).not.toHaveProperty("assignedArm");
    expect(JSON.stringify(toInvestigator)).not.toContain(cnInCohort.cohort!.code);
    const cohorts = (await db().cohort.findMany({ where: { trialId }, select: { code: true } })).map((c) => c.code);
    const cnSubjects = (await searchSubjects(investigator, all(trialId))).resources.filter((s) => /^CN-/.test(s.identifier[0]!.value));
    expect(cnSubjects.length).toBeGreaterThan(0);
    for (const s of cnSubjects) for (const code of cohorts) expect(JSON.stringify(s)).not.toContain(`"${code}"`);
    const toCoordinator = await subjectResource(coordinatorCn, cnInCohort.id);
    expect(toCoordinator).toMatchObject({ assignedArm: cnInCohort.cohort!.code });
  });

  it("exports a study and the subjects the caller may see as NDJSON, the study alone to a sponsor", async () => {
    const lines = async (actor: Actor) =>
      (await new Response(await exportStudy(actor, trialId)).text())
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { resourceType: string; id: string });
    const all = await lines(investigator);
    expect(all[0]).toMatchObject({ resourceType: "ResearchStudy", id: trialId });
    const subjects = all.slice(1);
    expect(subjects.every((r) => r.resourceType === "ResearchSubject")).toBe(true);
    expect(new Set(subjects.map((r) => r.id)).size).toBe(await db().participant.count({ where: { trialId, voidedAt: null } }));
    for (const r of subjects.slice(0, 50)) expect(fhirErrors(r)).toEqual([]);
    expect((await lines(sponsor)).map((r) => r.resourceType)).toEqual(["ResearchStudy"]);
  });

  it("answers a bad search with the parameter named", () => {
    const bad = (q: string) => {
      try {
        subjectQuery(new URLSearchParams(q));
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return error as AppError;
      }
    };
    expect(bad("study=ResearchStudy/x&status=bogus")).toMatchObject({ code: "invalid_request", fields: { status: [expect.any(String)] } });
    expect(bad("status=on-study")).toMatchObject({ fields: { study: [expect.any(String)] } });
    expect(bad("study=x&_count=0")).toMatchObject({ fields: { _count: [expect.any(String)] } });
    expect(bad("study=x&birthdate=1960")).toMatchObject({ fields: { birthdate: [expect.any(String)] } });
    expect(bad("study=ResearchStudy/x&status=on-study,withdrawn&_count=10")).toBeNull();
  });
});
