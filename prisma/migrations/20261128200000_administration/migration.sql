-- AlterTable
ALTER TABLE "User" ALTER COLUMN "passwordHash" DROP NOT NULL,
ADD COLUMN     "totpEnabledAt" TIMESTAMPTZ(3),
ADD COLUMN     "totpLastStep" INTEGER;

-- CreateTable
CREATE TABLE "Invite" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Invite_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Invite_tokenHash_key" ON "Invite"("tokenHash");

-- CreateIndex
CREATE INDEX "Invite_userId_idx" ON "Invite"("userId");

-- Administered records (hand-written): users, memberships, trials, cohorts, sites and trial sites are never
-- deleted. A user is deactivated, a membership revoked, a trial or a site's participation closed.
CREATE TRIGGER "User_no_delete" BEFORE DELETE ON "User"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "Membership_no_delete" BEFORE DELETE ON "Membership"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "Trial_no_delete" BEFORE DELETE ON "Trial"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "Cohort_no_delete" BEFORE DELETE ON "Cohort"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "Site_no_delete" BEFORE DELETE ON "Site"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "TrialSite_no_delete" BEFORE DELETE ON "TrialSite"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
