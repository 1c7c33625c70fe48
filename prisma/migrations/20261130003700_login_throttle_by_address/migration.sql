-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locks" INTEGER NOT NULL DEFAULT 0,
    "lockedUntilMs" BIGINT,
    "checkingUntilMs" BIGINT,
    "windowStartMs" BIGINT NOT NULL,
    "updatedAtMs" BIGINT NOT NULL
);
-- Counts kept per username alone do not carry over to the per-address keys: they start afresh.
DROP TABLE "LoginThrottle";
ALTER TABLE "new_LoginThrottle" RENAME TO "LoginThrottle";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

