-- Columns added in place (not by redefining "Job"), which keeps the partial unique index
-- "Job_one_active_per_relationship" that Prisma cannot express.
ALTER TABLE "Job" ADD COLUMN "leaseToken" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Job" ADD COLUMN "leaseExpiresAt" DATETIME;
ALTER TABLE "Job" ADD COLUMN "takeovers" INTEGER NOT NULL DEFAULT 0;
CREATE INDEX "Job_workerId_idx" ON "Job"("workerId");

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "processSpace" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "stoppedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Worker_heartbeatAt_idx" ON "Worker"("heartbeatAt");
