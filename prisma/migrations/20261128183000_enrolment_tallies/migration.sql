-- AlterTable
ALTER TABLE "Trial" ADD COLUMN     "plannedEnrolmentMonths" INTEGER NOT NULL DEFAULT 36;

-- CreateTable
CREATE TABLE "Tally" (
    "trialId" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "Tally_pkey" PRIMARY KEY ("trialId","dimension","key","metric")
);

-- CreateIndex
CREATE INDEX "Participant_trialId_siteId_screeningDate_idx" ON "Participant"("trialId", "siteId", "screeningDate");

-- Existing trials get their tallies from `npm run db:verify -- --repair`, which the app runs for any trial that has
-- participants but no tallies when it starts (scripts/serve.ts).
