-- CreateTable
CREATE TABLE "TrackingPack" (
    "relationshipId" TEXT NOT NULL,
    "lowerBound" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "files" INTEGER NOT NULL,
    "body" BYTEA NOT NULL,

    CONSTRAINT "TrackingPack_pkey" PRIMARY KEY ("relationshipId","lowerBound")
);

-- CreateTable
CREATE TABLE "TrackingUpload" (
    "relationshipId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    CONSTRAINT "TrackingUpload_pkey" PRIMARY KEY ("relationshipId","path")
);

-- CreateTable
CREATE TABLE "ReplicationLogLine" (
    "id" SERIAL NOT NULL,
    "relationshipId" TEXT NOT NULL,
    "line" TEXT NOT NULL,

    CONSTRAINT "ReplicationLogLine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReplicationLogLine_relationshipId_id_idx" ON "ReplicationLogLine"("relationshipId", "id");

-- AddForeignKey
ALTER TABLE "TrackingPack" ADD CONSTRAINT "TrackingPack_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackingUpload" ADD CONSTRAINT "TrackingUpload_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplicationLogLine" ADD CONSTRAINT "ReplicationLogLine_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship"("id") ON DELETE CASCADE ON UPDATE CASCADE;
