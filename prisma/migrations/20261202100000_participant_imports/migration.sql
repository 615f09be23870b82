-- One row per CSV import, by the SHA-256 of its bytes: the same file goes into a trial once.
CREATE TABLE "ParticipantImport" (
    "id" TEXT NOT NULL,
    "trialId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ParticipantImport_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ParticipantImport_trialId_sha256_key" ON "ParticipantImport"("trialId", "sha256");

ALTER TABLE "ParticipantImport" ADD CONSTRAINT "ParticipantImport_trialId_fkey" FOREIGN KEY ("trialId") REFERENCES "Trial"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "ParticipantImport" ADD CONSTRAINT "ParticipantImport_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Append-only, like the other records of what was done.
CREATE TRIGGER "ParticipantImport_append_only" BEFORE UPDATE OR DELETE ON "ParticipantImport"
    FOR EACH ROW EXECUTE FUNCTION "trialbridge_refuse_change"();
