-- CreateTable
CREATE TABLE "PartialDirectory" (
    "relationshipId" TEXT NOT NULL,
    "relDir" TEXT NOT NULL,

    PRIMARY KEY ("relationshipId", "relDir"),
    CONSTRAINT "PartialDirectory_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

