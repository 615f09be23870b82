-- Time-based alert checks, webhooks and email digests (issue 18): the job queue itself lives in the pgboss schema,
-- which pg-boss creates and migrates when an instance starts.

-- AlterEnum
ALTER TYPE "AlertKind" ADD VALUE 'SITE_SILENT';

-- AlterTable
ALTER TABLE "AlertRule" ADD COLUMN "days" INTEGER;

-- CreateEnum
CREATE TYPE "DigestFrequency" AS ENUM ('NEVER', 'DAILY', 'WEEKLY');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterTable
ALTER TABLE "User" ADD COLUMN "timeZone" TEXT,
ADD COLUMN "digest" "DigestFrequency" NOT NULL DEFAULT 'NEVER';

-- AlterTable
ALTER TABLE "Notification" ALTER COLUMN "ruleId" DROP NOT NULL;

-- DropForeignKey
ALTER TABLE "Notification" DROP CONSTRAINT "Notification_ruleId_fkey";

-- CreateTable
CREATE TABLE "AlertCheck" (
    "id" BIGSERIAL NOT NULL,
    "ruleId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "told" INTEGER NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "disabledAt" TIMESTAMPTZ(3),
    "disabledReason" TEXT,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queuedAt" TIMESTAMPTZ(3),
    "lastAttemptAt" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" BIGSERIAL NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestSent" (
    "id" BIGSERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "upToId" BIGINT NOT NULL,
    "sentAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DigestSent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertCheck_ruleId_period_key" ON "AlertCheck"("ruleId", "period");

-- CreateIndex
CREATE INDEX "WebhookEndpoint_trialId_idx" ON "WebhookEndpoint"("trialId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_createdAt_idx" ON "WebhookDelivery"("endpointId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_createdAt_idx" ON "WebhookDelivery"("status", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookAttempt_deliveryId_attempt_idx" ON "WebhookAttempt"("deliveryId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "DigestSent_userId_period_key" ON "DigestSent"("userId", "period");

-- AddForeignKey
ALTER TABLE "AlertCheck" ADD CONSTRAINT "AlertCheck_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookAttempt" ADD CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DigestSent" ADD CONSTRAINT "DigestSent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Nothing of the record is deleted (hand-written): checks, deliveries, their attempts and digests sent are history;
-- an endpoint is disabled with a time.
CREATE TRIGGER "AlertCheck_no_delete" BEFORE DELETE ON "AlertCheck"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "WebhookEndpoint_no_delete" BEFORE DELETE ON "WebhookEndpoint"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "WebhookDelivery_no_delete" BEFORE DELETE ON "WebhookDelivery"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "WebhookAttempt_no_delete" BEFORE DELETE ON "WebhookAttempt"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "DigestSent_no_delete" BEFORE DELETE ON "DigestSent"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
