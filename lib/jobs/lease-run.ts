import type { Prisma, PrismaClient } from "@/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { db } from "@/lib/db/prisma";
import { LeaseLostError } from "./job-lease";
import type { JobLog } from "./job-log";

type Client = Prisma.TransactionClient | PrismaClient;

const FLUSH_INTERVAL_MS = 500;
/** How long the lease holder's last write may take to settle once the lease is given up: its outcome may have committed. */
const SETTLE_MS = 2_000;

/**
 * How long after sending its last successful renewal a worker may go on without another before
 * it stops the work itself: a fifth of the lease, and at least a second (two checks), short of the
 * lease, so that it normally stops before any other worker may take the work over.
 */
export function selfFenceAfterMs(): number {
  const leaseMs = getConfig().workerLeaseMs;
  return leaseMs - Math.max(1_000, leaseMs / 5);
}

/** What a lease is held on: a whole job, or one work unit of a job. */
export interface LeaseTarget {
  /** How the worker's own log names it ("job …", "unit 2 of job …"). */
  name: string;
  kind: "job" | "work unit";
  /** Writes `data` under the lease and renews it; throws LeaseLostError, writing nothing, once the lease is someone else's. */
  write(client: Client, data: Record<string, unknown>): Promise<void>;
  /** Whether a stop was asked for. */
  stopRequested(): Promise<boolean>;
}

/** Something written with a renewal, told whether the transaction committed. */
export interface WritePart {
  committed(): void;
  rolledBack?(): void;
}

export type PartWriter = (tx: Prisma.TransactionClient) => Promise<WritePart>;

/**
 * The life of a lease while its work runs: a write twice a second that renews it, a watch that
 * stops the work once the lease could not be renewed in time (or was taken over), a stop request
 * turned into an abort, and the last write (the outcome) given a moment to settle should the
 * lease be given up while it is on its way.
 */
export class LeaseRun {
  readonly stop = new AbortController();
  private lost = false;
  private renewBy: number;
  private signalLost = () => {};
  private readonly lostNow = new Promise<false>((resolve) => (this.signalLost = () => resolve(false)));
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private writing = false;
  private ended = false;
  private readonly onShutdown = () => this.stop.abort(new Error("worker shutdown"));

  constructor(
    private readonly target: LeaseTarget,
    private readonly options: {
      shutdown: AbortSignal;
      log: JobLog;
      workerLog: (line: string) => void;
      /** When the claim that gave the lease was sent (performance.now()): the lease runs from then. */
      leaseSince: number;
    },
  ) {
    this.renewBy = options.leaseSince + selfFenceAfterMs();
    options.shutdown.addEventListener("abort", this.onShutdown, { once: true });
  }

  get leaseLost(): boolean {
    return this.lost;
  }

  /** Stops the work here: the lease is someone else's, or soon will be. */
  loseLease(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.signalLost();
    this.options.log.write("warn", "lease-lost", { reason: why });
    this.options.workerLog(`worker: ${this.target.name}: ${why}; stopping it here`);
    this.stop.abort(new Error(why));
  }

  /** Whether a stop was asked for: a worker shut down is not a stop. */
  stopAsked(): Promise<boolean> {
    return this.target.stopRequested();
  }

  /** A worker frozen between its claim and here must not start on a lease already spent. */
  checkFresh(): void {
    if (performance.now() > this.renewBy) this.loseLease("its lease could not be renewed in time");
  }

  /**
   * Writes `data` and every part in one transaction under the lease, or `data` alone in one
   * statement. The transaction holds the leased row: it is given no longer than the worker may go
   * on without a renewal, and PostgreSQL ends one left idle (a process frozen, a link gone quiet).
   */
  async write(data: Record<string, unknown>, parts: PartWriter[] = []): Promise<void> {
    const sent = performance.now();
    if (parts.length === 0) {
      await this.target.write(db(), data);
    } else {
      const written: WritePart[] = [];
      try {
        await db().$transaction(
          async (tx) => {
            await this.target.write(tx, data);
            for (const part of parts) written.push(await part(tx));
          },
          { timeout: selfFenceAfterMs() },
        );
      } catch (error) {
        for (const part of written) part.rolledBack?.();
        throw error;
      }
      // Later parts first: entry rows left in their buffer would be written twice.
      for (const part of written.reverse()) {
        try {
          part.committed();
        } catch (error) {
          // The local copy stays marked and is fetched again by the next job: a cost, not a loss.
          this.options.log.write("warn", "tracking-copy-not-updated", { message: String(error) });
        }
      }
    }
    this.renewBy = sent + selfFenceAfterMs();
  }

  /**
   * Calls `flush` twice a second, one at a time, until `end`; the lease is watched apart from
   * the writes: a write hanging on a link gone quiet must not keep a lost lease alive. After
   * each write that renewed the lease, a stop asked for aborts the work.
   */
  start(flush: () => Promise<void>): void {
    const guarded = async () => {
      if (this.lost) return;
      try {
        await flush();
      } catch (error) {
        if (error instanceof LeaseLostError)
          return this.loseLease(`another worker has taken this ${this.target.kind} over`);
        throw error;
      }
      if (!this.stop.signal.aborted && (await this.target.stopRequested())) {
        this.options.log.write("info", "stop-requested");
        this.stop.abort(new Error("stopped by request"));
      }
    };
    this.timer = setInterval(() => {
      if (!this.lost && performance.now() > this.renewBy) this.loseLease("its lease could not be renewed in time");
      if (this.writing || this.lost || this.ended) return;
      this.writing = true;
      this.flushing = guarded()
        .catch((error) => this.options.log.write("warn", "progress-write-failed", { message: String(error) }))
        .finally(() => (this.writing = false));
    }, FLUSH_INTERVAL_MS);
  }

  /** The work is over: no more periodic writes; the one on its way is waited for. */
  async end(): Promise<void> {
    this.ended = true;
    this.options.shutdown.removeEventListener("abort", this.onShutdown);
    await this.flushing;
  }

  /**
   * Waits for the last write; should the lease be given up while it is on its way, the write may
   * still commit: it is waited for a moment, so that work that did end is not logged as left.
   * False when the lease was lost first.
   */
  async settle(last: Promise<boolean>): Promise<boolean> {
    last.catch(() => {});
    const settled = this.lostNow.then(() =>
      Promise.race([last.catch(() => false), new Promise<false>((r) => setTimeout(() => r(false), SETTLE_MS))]),
    );
    try {
      return await Promise.race([last, settled]);
    } finally {
      clearInterval(this.timer);
    }
  }
}
