-- Per-country allocations of cohort targets and the trial's owner node (issue 14, decision 014).
ALTER TABLE "Trial" ADD COLUMN "ownerCountry" "Country" NOT NULL DEFAULT 'US';

-- CreateTable
CREATE TABLE "CohortAllocation" (
    "cohortId" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "places" INTEGER NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CohortAllocation_pkey" PRIMARY KEY ("cohortId","country")
);

-- AddForeignKey
ALTER TABLE "CohortAllocation" ADD CONSTRAINT "CohortAllocation_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The demo's and existing cohorts: each country's places are what it has enrolled, the rest split evenly.
INSERT INTO "CohortAllocation" ("cohortId", "country", "places", "updatedAt")
SELECT c."id", x.country, x.places, now()
  FROM "Cohort" c
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE s."country" = 'US')::int AS us, count(*) FILTER (WHERE s."country" = 'CN')::int AS cn
      FROM "Participant" p JOIN "Site" s ON s."id" = p."siteId"
     WHERE p."cohortId" = c."id" AND p."voidedAt" IS NULL AND p."status" IN ('ENROLLED', 'WITHDRAWN', 'COMPLETED')) e
  CROSS JOIN LATERAL (VALUES
    ('US'::"Country", e.us + GREATEST(c."target" - e.us - e.cn, 0) / 2),
    ('CN'::"Country", e.cn + GREATEST(c."target" - e.us - e.cn, 0) - GREATEST(c."target" - e.us - e.cn, 0) / 2)) AS x(country, places);
