// The path from screening to enrolment (CDISC DS dispositions; CONSORT flow). Enrolment counts are cumulative:
// a participant who was enrolled and later withdrew or completed still counts as enrolled.
import type { ParticipantStatus } from "@/lib/db/generated/enums";

export const EVER_ENROLLED: readonly ParticipantStatus[] = ["ENROLLED", "WITHDRAWN", "COMPLETED"];

export const SCREEN_FAILURE_REASONS = [
  "BIOMARKER_NEGATIVE", // no alteration that any cohort accepts
  "TEST_FAILED", // the molecular test failed or was not evaluable
  "INCLUSION_NOT_MET",
  "EXCLUSION_MET",
  "DECLINED", // declined to take part
  "OTHER",
] as const;
export type ScreenFailureReason = (typeof SCREEN_FAILURE_REASONS)[number];

export const WITHDRAWAL_REASONS = ["ADVERSE_EVENT", "PROGRESSION", "PATIENT_DECISION", "LOST_TO_FOLLOW_UP", "DEATH", "OTHER"] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];
