import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { databaseNow } from "@/lib/db/database-clock";
import { db } from "@/lib/db/prisma";
import packageJson from "@/package.json" with { type: "json" };

/** Rows of workers silent this long are removed: the Workers page shows the last day. */
export const FORGET_WORKERS_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The kernel boot and PID namespace this process runs in. Two workers that share both see the
 * same process table, so one may conclude from it that the other is gone; on another host, or in
 * another container, a free PID proves nothing.
 */
export const processSpace = (() => {
  let space: string | undefined;
  return () => (space ??= readProcessSpace());
})();

function readProcessSpace(): string {
  try {
    const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${boot}/${fs.readlinkSync("/proc/self/ns/pid")}`;
  } catch {
    // Unknown: a space of its own, which no other worker will ever judge from its process table.
    return `unknown/${crypto.randomUUID()}`;
  }
}

export async function registerWorker(id: string): Promise<void> {
  const now = databaseNow();
  await db().worker.create({
    data: {
      id,
      host: os.hostname(),
      pid: process.pid,
      processSpace: processSpace(),
      version: packageJson.version,
      startedAt: now,
      heartbeatAt: now,
    },
  });
}

/** The worker's own heartbeat (its jobs' leases are renewed with their progress). */
export async function beatWorker(id: string): Promise<void> {
  const { count } = await db().worker.updateMany({
    where: { id },
    data: { heartbeatAt: databaseNow(), stoppedAt: null },
  });
  // Its row was removed after a day of silence (a host suspended, say): it registers again.
  if (count === 0) await registerWorker(id);
}

export async function markWorkerStopped(id: string): Promise<void> {
  await db().worker.updateMany({ where: { id }, data: { stoppedAt: databaseNow() } });
}

export async function forgetSilentWorkers(): Promise<void> {
  await db().worker.deleteMany({
    where: { heartbeatAt: { lt: new Date(databaseNow().getTime() - FORGET_WORKERS_AFTER_MS) } },
  });
}
