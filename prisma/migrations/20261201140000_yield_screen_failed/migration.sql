-- The kept counters gain yield:<country>:<subtype> screenFailed (lib/enrolment/tally.ts): patients with that subtype
-- detected who failed screening, which the forecast's enrolment fraction reads instead of scanning participants.
-- Derived data, computed here from the rows as `recount` does.
INSERT INTO "Tally" ("trialId", "dimension", "key", "metric", "value")
SELECT p."trialId", 'yield', s."country"::text || ':' || st."key", 'screenFailed', count(*)::int
  FROM "Participant" p
  JOIN "Site" s ON s."id" = p."siteId"
  JOIN "ParticipantResult" r ON r."participantId" = p."id" AND r."result" = 'DETECTED'
  JOIN "Subtype" st ON st."id" = r."subtypeId"
 WHERE p."voidedAt" IS NULL
   AND EXISTS (SELECT 1 FROM "StatusChange" sc WHERE sc."participantId" = p."id" AND sc."toStatus" = 'SCREEN_FAILED')
 GROUP BY 1, 2, 3, 4
ON CONFLICT ("trialId", "dimension", "key", "metric") DO UPDATE SET "value" = EXCLUDED."value";
