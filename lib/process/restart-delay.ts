export const RESTART_DELAY_MS = { first: 1_000, max: 60_000, resetAfter: 5 * 60_000 };

/**
 * How long to wait before restarting a process that died after running `uptimeMs`, when the
 * previous wait was `previousMs` (undefined for its first death). Quick deaths double the wait up
 * to a minute, so a process that cannot start does not spin; one that ran a while starts over.
 */
export function restartDelay(previousMs: number | undefined, uptimeMs: number): number {
  if (previousMs === undefined || uptimeMs >= RESTART_DELAY_MS.resetAfter) return RESTART_DELAY_MS.first;
  return Math.min(previousMs * 2, RESTART_DELAY_MS.max);
}
