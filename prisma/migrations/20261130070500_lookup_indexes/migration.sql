-- CreateIndex: each copy's newest success (the list asks every second) is read from the index.
CREATE INDEX "Job_relationshipId_state_endTime_idx" ON "Job"("relationshipId", "state", "endTime");

-- CreateIndex: forgetting old throttle rows is a range delete, not a scan inside the sign-in lock.
CREATE INDEX "LoginThrottle_updatedAtMs_idx" ON "LoginThrottle"("updatedAtMs");
