-- AlterTable: a plain ADD COLUMN keeps the table (and its partial unique index on active jobs),
-- which the redefinition `prisma migrate diff` writes would drop.
ALTER TABLE "Job" ADD COLUMN "totalsKnownAt" DATETIME;
