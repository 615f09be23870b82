-- On the peer node, the hash of the owner's signed trial definition a trial was last set from (issue 14).
ALTER TABLE "Trial" ADD COLUMN "definitionHash" TEXT;
