-- Each site's screening by calendar month, kept like every other count (lib/enrolment/tally.ts, dimension
-- siteMonth): the forecast learns from it how sites' rates move over their time open. Data only: counted here once
-- from the participants not voided; from now on every change keeps it. `npm run db:verify` compares it with a recount.
INSERT INTO "Tally" ("trialId", "dimension", "key", "metric", "value")
SELECT p."trialId", 'siteMonth', p."siteId" || ':' || to_char(p."screeningDate", 'YYYY-MM'), 'screened', count(*)::int
  FROM "Participant" p
 WHERE p."voidedAt" IS NULL
 GROUP BY p."trialId", p."siteId", to_char(p."screeningDate", 'YYYY-MM')
ON CONFLICT ("trialId", "dimension", "key", "metric") DO NOTHING;
