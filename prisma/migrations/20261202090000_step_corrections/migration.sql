-- A step's date or reason is corrected by appending a row that names the step it corrects; the corrected row stays.
ALTER TABLE "StatusChange" ADD COLUMN "correctsId" TEXT;

CREATE UNIQUE INDEX "StatusChange_correctsId_key" ON "StatusChange"("correctsId");

ALTER TABLE "StatusChange" ADD CONSTRAINT "StatusChange_correctsId_fkey" FOREIGN KEY ("correctsId") REFERENCES "StatusChange"("id") ON DELETE SET NULL ON UPDATE CASCADE;
