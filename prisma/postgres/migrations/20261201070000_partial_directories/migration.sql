-- CreateTable
CREATE TABLE "PartialDirectory" (
    "relationshipId" TEXT NOT NULL,
    "relDir" TEXT NOT NULL,

    CONSTRAINT "PartialDirectory_pkey" PRIMARY KEY ("relationshipId","relDir")
);

-- AddForeignKey
ALTER TABLE "PartialDirectory" ADD CONSTRAINT "PartialDirectory_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship"("id") ON DELETE CASCADE ON UPDATE CASCADE;

