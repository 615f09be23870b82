-- Indexes for the hot queries: a cohort's enrolment count (under the cohort's lock on every enrolment), the screening
-- log by status, the listing's keyset order, a record's audit history by id alone.

-- CreateIndex
CREATE INDEX "Participant_cohortId_status_idx" ON "Participant"("cohortId", "status");

-- CreateIndex
CREATE INDEX "Participant_trialId_status_idx" ON "Participant"("trialId", "status");

-- CreateIndex
CREATE INDEX "Participant_trialId_id_idx" ON "Participant"("trialId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_entityId_idx" ON "AuditEvent"("entityId");

-- Keys the data always honoured, now enforced: a participant only at a site taking part in its trial; sessions,
-- tokens and one-time links only of existing users.

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_trialId_siteId_fkey" FOREIGN KEY ("trialId", "siteId") REFERENCES "TrialSite"("trialId", "siteId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invite" ADD CONSTRAINT "Invite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
