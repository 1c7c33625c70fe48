-- AlterTable
ALTER TABLE "Relationship" ADD COLUMN "localDirectoryBirthNs" TEXT;
