import os from "node:os";
import path from "node:path";
import { z } from "zod";

const envSchema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  SHIFT_DATA_DIR: z.string().default("./data"),
  SHIFT_FS_ROOT: z.string().optional(),
  SHIFT_ADMIN_PASSWORD: z.string().min(1).optional(),
  SHIFT_SECRET_KEY: z.string().min(1).optional(),
  SHIFT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  SHIFT_WORKER_JOBS: z.coerce.number().int().min(1).max(64).optional(),
  SHIFT_DATABASE_URL: z.string().optional(),
  SHIFT_WORKER_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  SHIFT_UNIT_FILES: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
});

export interface ShiftConfig {
  host: string;
  port: number;
  dataDir: string;
  fsRoot: string;
  adminPassword?: string;
  secretKey?: string;
  /** Parallel transfers (objects or parts) inside one job. */
  transferConcurrency: number;
  /** Jobs one worker runs at once. */
  jobConcurrency: number;
  /** PostgreSQL's address (checked by lib/db/database-url.ts); SQLite in the data directory when unset. */
  databaseUrl?: string;
  /** How long a job's lease lasts without a heartbeat before another worker takes the job over. */
  workerLeaseMs: number;
  /** Files per work unit when a job is split across workers (PostgreSQL); a job of fewer than two units' worth runs whole. */
  unitFiles: number;
}

let cached: ShiftConfig | undefined;

/** Reads the environment once; every path is absolute so a chdir cannot move the data. */
export function getConfig(env: NodeJS.ProcessEnv = process.env): ShiftConfig {
  if (cached && env === process.env) return cached;
  const parsed = envSchema.parse(env);
  const dataDir = path.resolve(/*turbopackIgnore: true*/ parsed.SHIFT_DATA_DIR);
  const config: ShiftConfig = {
    host: parsed.HOST,
    port: parsed.PORT,
    dataDir,
    fsRoot: path.resolve(/*turbopackIgnore: true*/ parsed.SHIFT_FS_ROOT ?? path.join(dataDir, "fs")),
    adminPassword: parsed.SHIFT_ADMIN_PASSWORD,
    secretKey: parsed.SHIFT_SECRET_KEY,
    transferConcurrency: parsed.SHIFT_WORKER_CONCURRENCY ?? Math.max(16, os.availableParallelism() * 16),
    jobConcurrency: parsed.SHIFT_WORKER_JOBS ?? 4,
    databaseUrl: parsed.SHIFT_DATABASE_URL || undefined,
    workerLeaseMs: parsed.SHIFT_WORKER_LEASE_SECONDS * 1000,
    unitFiles: parsed.SHIFT_UNIT_FILES,
  };
  if (env === process.env) cached = config;
  return config;
}
