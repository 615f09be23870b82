// Which alert rules are checked when: as counts change (./check.ts, in the fold's transaction), or once a period by
// the job queue because time passing is what makes them true (./schedule.ts).
import type { AlertKind } from "@/lib/db/generated/enums";

export const TIMED_KINDS = ["SITE_SILENT", "SITE_BEHIND_PLAN", "PEER_STALE"] as const satisfies readonly AlertKind[];

export const isTimed = (kind: string) => (TIMED_KINDS as readonly string[]).includes(kind);
