-- Two deployments of one trial (issue 14, decision 014): this node's export settings, its paired peer, the outbox
-- that is also the egress log, every snapshot received, and the peer's latest counts.

-- CreateTable
CREATE TABLE "FederationSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "pauseReason" TEXT,
    "policy" TEXT NOT NULL DEFAULT 'exact',
    "minCell" INTEGER NOT NULL DEFAULT 5,
    "shareYield" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FederationSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FederationPeer" (
    "origin" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "url" TEXT,
    "connect" BOOLEAN NOT NULL DEFAULT false,
    "keys" JSONB NOT NULL,
    "appliedSeq" INTEGER NOT NULL DEFAULT 0,
    "appliedHash" TEXT,
    "ackedSeq" INTEGER NOT NULL DEFAULT 0,
    "lastAsOf" TIMESTAMPTZ(3),
    "lastReceivedAt" TIMESTAMPTZ(3),
    "pausedByOrigin" BOOLEAN NOT NULL DEFAULT false,
    "rejectedAt" TIMESTAMPTZ(3),
    "rejection" TEXT,
    "relayHolder" TEXT,
    "relayUntil" TIMESTAMPTZ(3),
    "pairedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FederationPeer_pkey" PRIMARY KEY ("origin")
);

-- CreateTable
CREATE TABLE "FederationOutbox" (
    "seq" INTEGER NOT NULL,
    "jws" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL,
    "asOf" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FederationOutbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "FederationInbox" (
    "origin" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "jws" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FederationInbox_pkey" PRIMARY KEY ("origin","seq")
);

-- CreateTable
CREATE TABLE "PeerCount" (
    "id" BIGSERIAL NOT NULL,
    "origin" TEXT NOT NULL,
    "trial" TEXT NOT NULL,
    "site" TEXT,
    "cohort" TEXT,
    "subtype" TEXT,
    "metric" TEXT NOT NULL,
    "month" TEXT,
    "value" INTEGER,

    CONSTRAINT "PeerCount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PeerCount_origin_trial_idx" ON "PeerCount"("origin", "trial");

-- What was signed, sent and received is never changed or removed.
CREATE FUNCTION "federation_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: signed snapshots are never changed or removed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER "FederationOutbox_append_only" BEFORE UPDATE OR DELETE ON "FederationOutbox" FOR EACH ROW EXECUTE FUNCTION "federation_append_only"();
CREATE TRIGGER "FederationInbox_append_only" BEFORE UPDATE OR DELETE ON "FederationInbox" FOR EACH ROW EXECUTE FUNCTION "federation_append_only"();
