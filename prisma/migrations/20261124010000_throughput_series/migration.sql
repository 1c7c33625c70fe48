-- AlterTable: a plain ADD COLUMN keeps the table (and its partial unique index on active jobs).
ALTER TABLE "Job" ADD COLUMN "throughputSeries" TEXT NOT NULL DEFAULT '[]';
