-- CreateTable
CREATE TABLE "Role" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "builtIn" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "RolePrivilege" (
    "roleId" TEXT NOT NULL,
    "privilege" TEXT NOT NULL,

    PRIMARY KEY ("roleId", "privilege"),
    CONSTRAINT "RolePrivilege_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "privileges" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "Relationship" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "direction" TEXT NOT NULL,
    "localDirectoryId" TEXT NOT NULL,
    "localDirectoryPath" TEXT NOT NULL,
    "objectStoreAddress" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "caCertificate" TEXT,
    "bucket" TEXT NOT NULL,
    "bucketStyle" TEXT NOT NULL,
    "objectFolder" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "accessKeyId" TEXT NOT NULL,
    "secretCiphertext" TEXT NOT NULL,
    "allowPlainHttp" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relationshipId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "abortRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startTime" DATETIME,
    "endTime" DATETIME,
    "heartbeatAt" DATETIME,
    "workerId" TEXT,
    "error" TEXT NOT NULL DEFAULT '',
    "readMode" TEXT,
    "totalsKnown" BOOLEAN NOT NULL DEFAULT false,
    "bytesTransferred" BIGINT NOT NULL DEFAULT 0,
    "bytesUnchanged" BIGINT NOT NULL DEFAULT 0,
    "bytesTotal" BIGINT NOT NULL DEFAULT 0,
    "bytesFailed" BIGINT NOT NULL DEFAULT 0,
    "filesTransferred" BIGINT NOT NULL DEFAULT 0,
    "filesUnchanged" BIGINT NOT NULL DEFAULT 0,
    "filesTotal" BIGINT NOT NULL DEFAULT 0,
    "filesFailed" BIGINT NOT NULL DEFAULT 0,
    "filesCopiedServerSide" BIGINT NOT NULL DEFAULT 0,
    "bytesCopiedServerSide" BIGINT NOT NULL DEFAULT 0,
    "entriesSkipped" BIGINT NOT NULL DEFAULT 0,
    "skippedDetail" TEXT NOT NULL DEFAULT '{}',
    "throughputCurrent" REAL NOT NULL DEFAULT 0,
    "throughputOverall" REAL NOT NULL DEFAULT 0,
    "estimatedEndTime" DATETIME,
    CONSTRAINT "Job_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JobFileError" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    CONSTRAINT "JobFileError_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Role_name_key" ON "Role"("name");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "Job_relationshipId_createdAt_idx" ON "Job"("relationshipId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_state_idx" ON "Job"("state");

-- CreateIndex
CREATE INDEX "JobFileError_jobId_idx" ON "JobFileError"("jobId");


-- At most one queued or running job per relationship: a second "replicate" fails on this index
-- (409) however the requests interleave.
CREATE UNIQUE INDEX "Job_one_active_per_relationship" ON "Job"("relationshipId") WHERE "state" IN ('QUEUED', 'RUNNING');
