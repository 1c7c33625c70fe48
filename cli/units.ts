const COUNT = new Intl.NumberFormat("en-US");

/** A count as people read it: "1,400". Counts arrive as decimal strings (64-bit). */
export function formatCount(value: string | number | bigint): string {
  return COUNT.format(typeof value === "string" ? BigInt(value) : value);
}

/**
 * A span of time with its units, never "INF" or a bare number: "0.4 s", "12 s", "3 min 5 s",
 * "2 h 4 min". Tenths are shown only below 10 s, where they still mean something.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "an unknown time";
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
  return `${Math.floor(whole / 86_400)} d ${Math.floor((whole % 86_400) / 3600)} h`;
}

/** "about 3 min 5 s left" until an RFC 3339 instant; undefined while the API has no estimate (""). */
export function timeLeft(estimatedEnd: string, now: number): string | undefined {
  const end = estimatedEnd ? Date.parse(estimatedEnd) : NaN;
  if (Number.isNaN(end)) return undefined;
  const seconds = Math.round((end - now) / 1000);
  // An estimate already passed says only that the end is near, not how near.
  return seconds < 1 ? "under 1 s left" : `about ${formatDuration(seconds)} left`;
}
