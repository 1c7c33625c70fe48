-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PartialDirectory" (
    "relationshipId" TEXT NOT NULL,
    "relDir" TEXT NOT NULL,
    "prefix" TEXT NOT NULL DEFAULT '',

    PRIMARY KEY ("relationshipId", "relDir", "prefix"),
    CONSTRAINT "PartialDirectory_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PartialDirectory" ("relDir", "relationshipId") SELECT "relDir", "relationshipId" FROM "PartialDirectory";
DROP TABLE "PartialDirectory";
ALTER TABLE "new_PartialDirectory" RENAME TO "PartialDirectory";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
