-- CreateTable
CREATE TABLE "TrackingPack" (
    "relationshipId" TEXT NOT NULL,
    "lowerBound" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "files" INTEGER NOT NULL,
    "body" BLOB NOT NULL,

    PRIMARY KEY ("relationshipId", "lowerBound"),
    CONSTRAINT "TrackingPack_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TrackingUpload" (
    "relationshipId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    PRIMARY KEY ("relationshipId", "path"),
    CONSTRAINT "TrackingUpload_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReplicationLogLine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "relationshipId" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    CONSTRAINT "ReplicationLogLine_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ReplicationLogLine_relationshipId_id_idx" ON "ReplicationLogLine"("relationshipId", "id");
