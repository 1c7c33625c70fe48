import type { DownloadSettings } from "@/lib/engine/download-file";
import type { TransferSettings } from "@/lib/engine/file-transfer";

const MiB = 1024 * 1024;

/** Part buffers in memory across one job (uploads and ranged downloads alike). */
export const BUFFER_BUDGET_BYTES = 256 * MiB;

/** How a copy-to-S3 job sends files; `sendSha256Checksum` depends on the store. */
export function uploadSettings(sendSha256Checksum: boolean): Omit<TransferSettings, "stableRead"> {
  return {
    multipartThreshold: 32 * MiB,
    minPartSize: 8 * MiB,
    parallelParts: 8,
    stableReadAttempts: 5,
    sendSha256Checksum,
  };
}

/** How a copy-from-S3 job fetches objects. */
export const DOWNLOAD_SETTINGS: DownloadSettings = {
  rangeThreshold: 32 * MiB,
  minPartSize: 8 * MiB,
  parallelParts: 8,
  bodyAttempts: 3,
  durableWrites: true,
  smallObjectsInFlight: 128,
};

/** Sockets a job's store may hold: the small objects of a pull are fetched more at once than the job's transfers. */
export function storeSockets(transferConcurrency: number): number {
  return Math.max(transferConcurrency, DOWNLOAD_SETTINGS.smallObjectsInFlight);
}
