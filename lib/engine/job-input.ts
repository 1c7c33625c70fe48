import { setMaxListeners } from "node:events";
import type { ObjectStore } from "@/lib/s3/object-store";
import type { EngineListener } from "./events";
import type { TrackingStore } from "./tracking-store";

/** What every job of the engine needs, whichever way it copies. */
export interface EngineJobInput {
  /** Host path of the relationship's local directory (already resolved inside the namespace). */
  directory: string;
  /** The directory's inode when the relationship was made: a job refuses a directory replaced since. */
  directoryIno?: bigint;
  /**
   * Its birth time then, where the file system keeps one: an inode number alone does not tell a
   * directory from its replacement when it is a btrfs subvolume's root (inode 256 in every one).
   */
  directoryBirthNs?: bigint;
  /** How messages name the directory (its namespace path); the host path when absent. */
  directoryLabel?: string;
  store: ObjectStore;
  bucket: string;
  /** Normalised object folder: "" or "a/b/". */
  folder: string;
  tracking: TrackingStore;
  /** Aborted by a stop request or a worker shutdown. */
  signal: AbortSignal;
  emit: EngineListener;
  /** Files (or parts) in flight at once. */
  concurrency: number;
  /** Bytes of part buffers in memory across the job. */
  bufferBudgetBytes: number;
}

/**
 * The job's own abort controller: it follows the caller's signal (a stop) and can also be aborted
 * by the job itself (a fatal error), so every in-flight request listens to one signal.
 */
export function jobController(signal: AbortSignal): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const follow = () => controller.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return controller;
}
