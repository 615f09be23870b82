-- CreateTable
CREATE TABLE "TallyDelta" (
    "id" BIGSERIAL NOT NULL,
    "trialId" TEXT NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "TallyDelta_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TallyDelta_trialId_idx" ON "TallyDelta"("trialId");
