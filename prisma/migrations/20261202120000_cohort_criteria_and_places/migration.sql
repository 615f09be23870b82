-- Cohorts: a status (open, suspended, closed), a cap per site, and how a freed place goes to those waiting.
CREATE TYPE "CohortStatus" AS ENUM ('OPEN', 'SUSPENDED', 'CLOSED');
CREATE TYPE "WaitlistOrder" AS ENUM ('FIRST_COME', 'ROUND_ROBIN');
CREATE TYPE "PlaceState" AS ENUM ('HELD', 'USED', 'RELEASED', 'EXPIRED');
CREATE TYPE "WaitlistState" AS ENUM ('WAITING', 'OFFERED', 'LEFT');

ALTER TABLE "Cohort" ADD COLUMN "status" "CohortStatus" NOT NULL DEFAULT 'OPEN',
    ADD COLUMN "siteCap" INTEGER,
    ADD COLUMN "waitlistOrder" "WaitlistOrder" NOT NULL DEFAULT 'FIRST_COME';

-- Eligibility as versioned structured criteria (lib/matching/criteria.ts). Append-only.
CREATE TABLE "CohortCriteria" (
    "id" TEXT NOT NULL,
    "cohortId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "criteria" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "amendment" TEXT,
    "actorId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CohortCriteria_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "CohortCriteria_cohortId_version_key" ON "CohortCriteria"("cohortId", "version");

ALTER TABLE "CohortCriteria" ADD CONSTRAINT "CohortCriteria_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TRIGGER "CohortCriteria_append_only" BEFORE UPDATE OR DELETE ON "CohortCriteria"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();

-- backfill: every cohort's criteria, version 1, are exactly what it matched until now: one of its subtypes detected.
INSERT INTO "CohortCriteria" ("id", "cohortId", "version", "criteria", "reason")
SELECT 'migrated-' || c."id", c."id", 1,
       jsonb_build_object(
         'version', 1,
         'include', COALESCE(jsonb_agg(jsonb_build_object('kind', 'subtype', 'key', s."key") ORDER BY s."key") FILTER (WHERE s."key" IS NOT NULL), '[]'::jsonb),
         'requireNotDetected', '[]'::jsonb,
         'exclude', '[]'::jsonb),
       'The cohort''s subtypes, as criteria (migration 20261202120000)'
  FROM "Cohort" c
  LEFT JOIN "CohortSubtype" cs ON cs."cohortId" = c."id"
  LEFT JOIN "Subtype" s ON s."id" = cs."subtypeId"
 GROUP BY c."id";
-- end backfill

-- Places held for consented patients, and those waiting for one.
CREATE TABLE "PlaceReservation" (
    "id" TEXT NOT NULL,
    "cohortId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "state" "PlaceState" NOT NULL DEFAULT 'HELD',
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PlaceReservation_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WaitlistEntry" (
    "id" TEXT NOT NULL,
    "cohortId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "state" "WaitlistState" NOT NULL DEFAULT 'WAITING',
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),
    "reservationId" TEXT,

    CONSTRAINT "WaitlistEntry_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "PlaceReservation_cohortId_state_idx" ON "PlaceReservation"("cohortId", "state");
CREATE INDEX "PlaceReservation_participantId_state_idx" ON "PlaceReservation"("participantId", "state");
CREATE INDEX "WaitlistEntry_cohortId_state_createdAt_idx" ON "WaitlistEntry"("cohortId", "state", "createdAt");
CREATE INDEX "WaitlistEntry_participantId_state_idx" ON "WaitlistEntry"("participantId", "state");

ALTER TABLE "PlaceReservation" ADD CONSTRAINT "PlaceReservation_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PlaceReservation" ADD CONSTRAINT "PlaceReservation_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "WaitlistEntry" ADD CONSTRAINT "WaitlistEntry_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "WaitlistEntry" ADD CONSTRAINT "WaitlistEntry_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
