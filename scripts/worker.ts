// The copy engine's worker: claims queued jobs from the database and runs them.
// `npm run worker` runs it alone: on a second host, with the same SHIFT_DATABASE_URL (PostgreSQL).
import { getConfig } from "@/lib/config";
import { describeDatabase } from "@/lib/db/database-url";
import { prepareDatabase } from "@/lib/db/prepare-database";
import { makeDataDirPrivate } from "@/lib/process/private-data";
import { startWorker } from "@/lib/jobs/worker";
import { hostProtectionWarning } from "@/lib/fs/host-protections";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const config = getConfig();
try {
  console.log(`worker: database ${describeDatabase()}`);
  if (process.env.SHIFT_DATABASE_PREPARED !== "1") await prepareDatabase();
} catch (error) {
  console.error(`worker: the database cannot be used: ${(error as Error).message}`);
  process.exit(1);
}
// No private umask here: the files a copy from S3 writes must keep the mode the site expects.
// The data directory is made private instead, and the worker's own files are created 0600.
makeDataDirPrivate();
const warning = hostProtectionWarning();
if (warning) console.warn(`worker: WARNING: ${warning}`);
let worker: Awaited<ReturnType<typeof startWorker>>;
try {
  worker = await startWorker();
} catch (error) {
  console.error(`worker: the database cannot be used: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`worker ${worker.id}: lease ${config.workerLeaseMs / 1000} s`);
console.log(`worker ${worker.id}: data directory ${config.dataDir}, local namespace ${config.fsRoot}`);
console.log(`worker: up to ${config.jobConcurrency} jobs at once, ${config.transferConcurrency} transfers per job`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`worker: ${signal}, interrupting running jobs`);
  void worker.stop().then(() => process.exit(0));
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
