// The participant as the API and pages see it: calendar dates as YYYY-MM-DD, enums in the API's spelling.
import { fromDbDate } from "@/lib/dates/calendar";
import type { ParticipantStatus, Sex, TestMethod, TestResult } from "@/lib/db/generated/enums";

export interface ParticipantRow {
  id: string;
  trialId: string;
  siteId: string;
  screeningNumber: string;
  screeningDate: Date;
  ageAtScreening: number;
  sex: Sex;
  status: ParticipantStatus;
  cohortId: string | null;
  version: number;
  voidedAt: Date | null;
  voidReason: string | null;
  results: { result: TestResult; method: TestMethod; subtype: { key: string } }[];
}

export const participantInclude = {
  results: { select: { result: true, method: true, subtype: { select: { key: true } } }, orderBy: { subtype: { key: "asc" } } },
} as const;

export const sexToApi = (sex: Sex) => sex.toLowerCase() as "female" | "male" | "unknown";
export const sexFromApi = (sex: "female" | "male" | "unknown") => sex.toUpperCase() as Sex;
export const resultToApi = (r: TestResult) => r.toLowerCase() as "detected" | "not_detected" | "failed";
export const resultFromApi = (r: "detected" | "not_detected" | "failed") => r.toUpperCase() as TestResult;

export function participantView(p: ParticipantRow) {
  return {
    id: p.id,
    trialId: p.trialId,
    siteId: p.siteId,
    screeningNumber: p.screeningNumber,
    screeningDate: fromDbDate(p.screeningDate),
    ageAtScreening: p.ageAtScreening,
    sex: sexToApi(p.sex),
    status: p.status,
    cohortId: p.cohortId,
    version: p.version,
    voided: p.voidedAt !== null,
    ...(p.voidedAt ? { voidReason: p.voidReason } : {}),
    results: p.results.map((r) => ({ subtype: r.subtype.key, result: resultToApi(r.result), method: r.method })),
  };
}

export type ParticipantView = ReturnType<typeof participantView>;
