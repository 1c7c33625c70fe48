-- AlterTable
ALTER TABLE "Job" ADD COLUMN "unitsPlanned" BOOLEAN;

-- CreateTable
CREATE TABLE "JobUnit" (
    "jobId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "lowerBound" TEXT NOT NULL,
    "upperBound" TEXT,
    "state" TEXT NOT NULL,
    "workerId" TEXT,
    "leaseToken" INTEGER NOT NULL DEFAULT 0,
    "leaseExpiresAt" DATETIME,
    "heartbeatAt" DATETIME,
    "takeovers" INTEGER NOT NULL DEFAULT 0,
    "doneThrough" TEXT,
    "doneBeyond" TEXT NOT NULL DEFAULT '[]',
    "outcome" TEXT,
    "error" TEXT NOT NULL DEFAULT '',
    "readMode" TEXT,
    "filesTransferred" BIGINT NOT NULL DEFAULT 0,
    "bytesTransferred" BIGINT NOT NULL DEFAULT 0,
    "filesUnchanged" BIGINT NOT NULL DEFAULT 0,
    "bytesUnchanged" BIGINT NOT NULL DEFAULT 0,
    "filesCopiedServerSide" BIGINT NOT NULL DEFAULT 0,
    "bytesCopiedServerSide" BIGINT NOT NULL DEFAULT 0,
    "filesFailed" BIGINT NOT NULL DEFAULT 0,
    "bytesFailed" BIGINT NOT NULL DEFAULT 0,
    "entriesSkipped" BIGINT NOT NULL DEFAULT 0,
    "skippedDetail" TEXT NOT NULL DEFAULT '{}',
    "bytesMoved" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("jobId", "index"),
    CONSTRAINT "JobUnit_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "JobUnit_state_idx" ON "JobUnit"("state");

