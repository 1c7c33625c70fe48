import { formatBytes } from "@/lib/format";
import type { ThroughputSample } from "@/lib/progress/fields";

const WIDTH = 600;
const HEIGHT = 120;

/** Throughput over a job's life, as a small line chart. */
export function ThroughputChart({ series }: { series: ThroughputSample[] }) {
  if (series.length < 2) return <p className="text-sm text-slate-600">Not enough samples for a chart yet.</p>;
  const duration = Math.max(1, series[series.length - 1]![0]);
  const peak = Math.max(1, ...series.map(([, rate]) => rate));
  const points = series
    .map(([t, rate]) => `${((t / duration) * WIDTH).toFixed(1)},${(HEIGHT - (rate / peak) * (HEIGHT - 4)).toFixed(1)}`)
    .join(" ");
  const summary = `Throughput over ${duration} s, peak ${formatBytes(peak)}/s`;
  return (
    <figure className="flex flex-col gap-1">
      <svg
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="h-32 w-full max-w-2xl rounded bg-slate-50"
        preserveAspectRatio="none"
        data-testid="throughput-chart"
      >
        <polyline points={points} fill="none" stroke="#1d4ed8" strokeWidth="2" vectorEffect="non-scaling-stroke" />
      </svg>
      <figcaption className="text-xs text-slate-600">{summary}</figcaption>
    </figure>
  );
}
