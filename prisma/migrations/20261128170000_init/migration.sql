-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Country" AS ENUM ('US', 'CN');

-- CreateEnum
CREATE TYPE "TrialStatus" AS ENUM ('PLANNED', 'RECRUITING', 'CLOSED');

-- CreateEnum
CREATE TYPE "TrialSiteStatus" AS ENUM ('PLANNED', 'ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('COORDINATOR', 'INVESTIGATOR', 'SPONSOR');

-- CreateEnum
CREATE TYPE "VariantCategory" AS ENUM ('MUTATION', 'STRUCTURAL_VARIATION', 'COPY_NUMBER_VARIATION');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('FEMALE', 'MALE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ParticipantStatus" AS ENUM ('SCREENED', 'ELIGIBLE', 'SCREEN_FAILED', 'CONSENTED', 'ENROLLED', 'WITHDRAWN', 'COMPLETED');

-- CreateEnum
CREATE TYPE "TestResult" AS ENUM ('DETECTED', 'NOT_DETECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "TestMethod" AS ENUM ('NGS_TISSUE', 'NGS_PLASMA', 'PCR', 'FISH', 'IHC');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "locale" TEXT,
    "totpSecret" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "siteId" TEXT,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Site" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "nameLocal" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "city" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Trial" (
    "id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "indication" TEXT NOT NULL,
    "status" "TrialStatus" NOT NULL DEFAULT 'PLANNED',
    "plannedStart" DATE NOT NULL,
    "target" INTEGER NOT NULL,
    "sponsorName" TEXT NOT NULL,
    "sponsorListingAllowed" BOOLEAN NOT NULL DEFAULT false,
    "crossBorderApprovalRef" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Trial_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cohort" (
    "id" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "target" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Cohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CohortSubtype" (
    "cohortId" TEXT NOT NULL,
    "subtypeId" TEXT NOT NULL,

    CONSTRAINT "CohortSubtype_pkey" PRIMARY KEY ("cohortId","subtypeId")
);

-- CreateTable
CREATE TABLE "Subtype" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "gene" TEXT NOT NULL,
    "alteration" TEXT NOT NULL,
    "category" "VariantCategory" NOT NULL,
    "label" TEXT NOT NULL,
    "synonyms" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subtype_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrialSite" (
    "id" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "status" "TrialSiteStatus" NOT NULL DEFAULT 'PLANNED',
    "activationDate" DATE,
    "plannedActivationDate" DATE,
    "plannedScreeningRate" DOUBLE PRECISION NOT NULL,
    "screeningSeq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TrialSite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participant" (
    "id" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "screeningNumber" TEXT NOT NULL,
    "screeningDate" DATE NOT NULL,
    "ageAtScreening" INTEGER NOT NULL,
    "sex" "Sex" NOT NULL,
    "status" "ParticipantStatus" NOT NULL DEFAULT 'SCREENED',
    "cohortId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "voidedAt" TIMESTAMPTZ(3),
    "voidReason" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ParticipantResult" (
    "id" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "subtypeId" TEXT NOT NULL,
    "result" "TestResult" NOT NULL,
    "method" "TestMethod" NOT NULL,

    CONSTRAINT "ParticipantResult_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatusChange" (
    "id" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "fromStatus" "ParticipantStatus",
    "toStatus" "ParticipantStatus" NOT NULL,
    "date" DATE NOT NULL,
    "reasonCode" TEXT,
    "reason" TEXT,
    "cohortId" TEXT,
    "actorId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT,
    "trialId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "ip" TEXT,
    "prevHash" TEXT,
    "hash" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EnrolmentEvent" (
    "id" BIGSERIAL NOT NULL,
    "trialId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,

    CONSTRAINT "EnrolmentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE INDEX "Membership_trialId_idx" ON "Membership"("trialId");

-- CreateIndex
CREATE UNIQUE INDEX "Site_code_key" ON "Site"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Trial_code_key" ON "Trial"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Cohort_trialId_code_key" ON "Cohort"("trialId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Subtype_key_key" ON "Subtype"("key");

-- CreateIndex
CREATE UNIQUE INDEX "TrialSite_trialId_siteId_key" ON "TrialSite"("trialId", "siteId");

-- CreateIndex
CREATE INDEX "Participant_trialId_siteId_status_idx" ON "Participant"("trialId", "siteId", "status");

-- CreateIndex
CREATE INDEX "Participant_trialId_screeningDate_idx" ON "Participant"("trialId", "screeningDate");

-- CreateIndex
CREATE UNIQUE INDEX "Participant_trialId_screeningNumber_key" ON "Participant"("trialId", "screeningNumber");

-- CreateIndex
CREATE INDEX "ParticipantResult_subtypeId_result_idx" ON "ParticipantResult"("subtypeId", "result");

-- CreateIndex
CREATE UNIQUE INDEX "ParticipantResult_participantId_subtypeId_key" ON "ParticipantResult"("participantId", "subtypeId");

-- CreateIndex
CREATE INDEX "StatusChange_participantId_idx" ON "StatusChange"("participantId");

-- CreateIndex
CREATE INDEX "AuditEvent_entityType_entityId_idx" ON "AuditEvent"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "AuditEvent_trialId_at_idx" ON "AuditEvent"("trialId", "at");

-- CreateIndex
CREATE INDEX "EnrolmentEvent_trialId_id_idx" ON "EnrolmentEvent"("trialId", "id");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cohort" ADD CONSTRAINT "Cohort_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortSubtype" ADD CONSTRAINT "CohortSubtype_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortSubtype" ADD CONSTRAINT "CohortSubtype_subtypeId_fkey" FOREIGN KEY ("subtypeId") REFERENCES "Subtype"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrialSite" ADD CONSTRAINT "TrialSite_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrialSite" ADD CONSTRAINT "TrialSite_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParticipantResult" ADD CONSTRAINT "ParticipantResult_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ParticipantResult" ADD CONSTRAINT "ParticipantResult_subtypeId_fkey" FOREIGN KEY ("subtypeId") REFERENCES "Subtype"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatusChange" ADD CONSTRAINT "StatusChange_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Append-only records (hand-written): the audit trail, the enrolment event log and status histories are never
-- updated or deleted, and no participant is ever deleted (a mistaken record is voided). The database refuses.
CREATE FUNCTION "trialbridge_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on "%" is not allowed: records are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "AuditEvent_append_only" BEFORE UPDATE OR DELETE ON "AuditEvent"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent"
    FOR EACH STATEMENT EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "EnrolmentEvent_append_only" BEFORE UPDATE OR DELETE ON "EnrolmentEvent"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "EnrolmentEvent_no_truncate" BEFORE TRUNCATE ON "EnrolmentEvent"
    FOR EACH STATEMENT EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "StatusChange_append_only" BEFORE UPDATE OR DELETE ON "StatusChange"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "Participant_no_delete" BEFORE DELETE ON "Participant"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
