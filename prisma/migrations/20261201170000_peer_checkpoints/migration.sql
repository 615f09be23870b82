-- Witnessed audit trails (issue 14): the peer's signed audit checkpoints as its snapshots carried them.
-- CreateTable
CREATE TABLE "PeerCheckpoint" (
    "id" SERIAL NOT NULL,
    "origin" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "jws" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PeerCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PeerCheckpoint_jws_key" ON "PeerCheckpoint"("jws");

-- CreateIndex
CREATE INDEX "PeerCheckpoint_origin_seq_idx" ON "PeerCheckpoint"("origin", "seq");

CREATE TRIGGER "PeerCheckpoint_append_only" BEFORE UPDATE OR DELETE ON "PeerCheckpoint" FOR EACH ROW EXECUTE FUNCTION "federation_append_only"();
