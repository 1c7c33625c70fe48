-- AlterTable
ALTER TABLE "PartialDirectory" DROP CONSTRAINT "PartialDirectory_pkey",
ADD COLUMN     "prefix" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "PartialDirectory_pkey" PRIMARY KEY ("relationshipId", "relDir", "prefix");
