-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "seq" BIGINT;

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" SERIAL NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kid" TEXT NOT NULL,
    "jws" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditCheckpoint_seq_idx" ON "AuditCheckpoint"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_seq_key" ON "AuditEvent"("seq");


-- Sealing (hand-written). Audit rows are written without any lock, in the change's own transaction; the sealer
-- chains them just after commit. The one update the database allows on an audit row is that sealing: from no seq
-- to a seq with its hashes, with every recorded field unchanged. Anything else is refused as before.
CREATE FUNCTION "trialbridge_audit_seal_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD."seq" IS NULL AND OLD."hash" IS NULL AND NEW."seq" IS NOT NULL AND NEW."hash" IS NOT NULL
       AND NEW."id" = OLD."id" AND NEW."at" = OLD."at" AND NEW."action" = OLD."action" AND NEW."entityType" = OLD."entityType"
       AND NEW."actorId" IS NOT DISTINCT FROM OLD."actorId" AND NEW."entityId" IS NOT DISTINCT FROM OLD."entityId"
       AND NEW."trialId" IS NOT DISTINCT FROM OLD."trialId" AND NEW."before" IS NOT DISTINCT FROM OLD."before"
       AND NEW."after" IS NOT DISTINCT FROM OLD."after" AND NEW."reason" IS NOT DISTINCT FROM OLD."reason"
       AND NEW."ip" IS NOT DISTINCT FROM OLD."ip" THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on "%" is not allowed: records are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

DROP TRIGGER "AuditEvent_append_only" ON "AuditEvent";

-- Rows chained before sealing existed were chained in id order: that order becomes their seq.
UPDATE "AuditEvent" a SET "seq" = o."n"
  FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS "n" FROM "AuditEvent" WHERE "hash" IS NOT NULL) o
 WHERE a."id" = o."id";

CREATE TRIGGER "AuditEvent_append_only" BEFORE UPDATE OR DELETE ON "AuditEvent"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_audit_seal_only"();

CREATE TRIGGER "AuditCheckpoint_append_only" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
CREATE TRIGGER "AuditCheckpoint_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "trialbridge_refuse_change"();
