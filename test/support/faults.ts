import type { Interceptor, ProxiedRequest } from "./s3-proxy";

export const FAULT_KINDS = ["reset", "reset-after", "500", "503", "latency", "stall", "truncate"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A small seeded generator (mulberry32), so that a failing fault run can be replayed exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errorBody = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export interface FaultPlan {
  interceptor: Interceptor;
  /** Faults injected so far, by kind. */
  injected: Record<FaultKind, number>;
  total(): number;
}

/**
 * Injects a fault into `rate` of the requests that `applies` selects, each of a kind drawn
 * evenly from `kinds`. A stall holds its request for `stallMs`, longer than any test: only the
 * client's own inactivity timeout can end it. With `perRequest`, one request (its method, path
 * and query, which its retries repeat) is faulted at most that many times in all. Below the
 * client's attempts, every request eventually goes through, and the attempts left over absorb
 * failures the plan did not inject (a busy machine's slow answer timing out), so the run's
 * outcome is certain.
 */
export function injectFaults({
  rate,
  seed = 1,
  kinds = FAULT_KINDS,
  stallMs = 60_000,
  applies = () => true,
  perRequest = Infinity,
}: {
  rate: number;
  seed?: number;
  kinds?: readonly FaultKind[];
  stallMs?: number;
  applies?: (request: ProxiedRequest) => boolean;
  perRequest?: number;
}): FaultPlan {
  const random = seeded(seed);
  const injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const faulted = new Map<string, number>();
  const interceptor: Interceptor = (request) => {
    if (!applies(request)) return undefined;
    const identity = `${request.method} ${request.path}?${request.query}`;
    const times = faulted.get(identity) ?? 0;
    if (random() >= rate || times >= perRequest) return undefined;
    faulted.set(identity, times + 1);
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    injected[kind]++;
    switch (kind) {
      case "reset":
      case "reset-after":
      case "truncate":
        return kind;
      case "500":
        return { status: 500, body: errorBody("InternalError", "We encountered an internal error. Please try again.") };
      case "503":
        return { status: 503, body: errorBody("SlowDown", "Please reduce your request rate.") };
      case "latency":
        return { delayMs: 50 + Math.floor(random() * 250) };
      case "stall":
        return { stallMs };
    }
  };
  return { interceptor, injected, total: () => Object.values(injected).reduce((a, b) => a + b, 0) };
}
