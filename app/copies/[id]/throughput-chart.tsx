import { byteUnitFor, formatBytes, formatDuration } from "@/lib/format";
import type { ThroughputSample } from "@/lib/progress/fields";

/**
 * Drawn in a wide box for a desktop and a narrow one for a phone, each shown at its breakpoint, so
 * that the labels are about 14 px on either (one box scaled to a phone made them 7 px).
 */
const WIDE = 560;
const NARROW = 340;
const HEIGHT = 220;
/** Room for the rate's labels on the left and the time's below. */
const LEFT = 58;
const RIGHT = 24;
const TOP = 22;
const BOTTOM = 44;
const PLOT_H = HEIGHT - TOP - BOTTOM;
/** Time between two samples of the series (lib/engine/progress.ts), for the sentence without a chart. */
const SAMPLE_EVERY_S = 2;

/** A round step (1, 2 or 5 × a power of ten) giving at most `ticks` steps up to `max`. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

/** Steps for a time axis, in seconds: whole minutes and hours once the job is long enough. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

function timeLabel(seconds: number): string {
  if (seconds === 0) return "0";
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 120) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export interface FinishedJob {
  durationMs: number;
  bytesMoved: number;
}

/**
 * Throughput over a job's life: rate against time since the start, with both axes labelled.
 * A finished job too short to have two samples gets a sentence that says so, not a wait.
 */
export function ThroughputChart({ series, finished }: { series: ThroughputSample[]; finished?: FinishedJob }) {
  if (series.length < 2) {
    return (
      <p className="text-sm text-slate-600" data-testid="throughput-note">
        {finished
          ? `The job took ${formatDuration(finished.durationMs)} and moved ${formatBytes(finished.bytesMoved)}${
              finished.durationMs > 0
                ? ` (${formatBytes((finished.bytesMoved * 1000) / finished.durationMs)}/s on average)`
                : ""
            }: too short for a chart, which takes a sample every ${SAMPLE_EVERY_S} s.`
          : `Not enough samples for a chart yet: one is taken every ${SAMPLE_EVERY_S} s.`}
      </p>
    );
  }
  const duration = Math.max(1, series[series.length - 1]![0]);
  const peak = Math.max(1, ...series.map(([, rate]) => rate));
  const summary = `Throughput over ${duration} s, peak ${formatBytes(peak)}/s`;
  return (
    <figure className="flex flex-col gap-1">
      <div className="hidden sm:block">
        <ChartSvg series={series} width={WIDE} summary={summary} testId="throughput-chart" />
      </div>
      <div className="sm:hidden">
        <ChartSvg series={series} width={NARROW} summary={summary} testId="throughput-chart-narrow" />
      </div>
      <figcaption className="text-xs text-slate-600">{summary}</figcaption>
    </figure>
  );
}

function ChartSvg({
  series,
  width,
  summary,
  testId,
}: {
  series: ThroughputSample[];
  width: number;
  summary: string;
  testId: string;
}) {
  const duration = Math.max(1, series[series.length - 1]![0]);
  const peak = Math.max(1, ...series.map(([, rate]) => rate));
  const [divisor, unit] = byteUnitFor(peak);
  const rateStep = niceStep(peak / divisor, 4);
  const rateTop = Math.ceil(peak / divisor / rateStep) * rateStep;
  const timeStep = TIME_STEPS.find((step) => duration / step <= (width > NARROW ? 4 : 3)) ?? 86400;
  const plotWidth = width - LEFT - RIGHT;
  const x = (t: number) => LEFT + (t / duration) * plotWidth;
  const y = (rate: number) => TOP + PLOT_H - (rate / divisor / rateTop) * PLOT_H;
  const points = series.map(([t, rate]) => `${x(t).toFixed(1)},${y(rate).toFixed(1)}`).join(" ");
  const rateTicks = Array.from({ length: Math.round(rateTop / rateStep) + 1 }, (_, i) => i * rateStep);
  const timeTicks = Array.from({ length: Math.floor(duration / timeStep) + 1 }, (_, i) => i * timeStep);
  return (
    <svg
      role="img"
      aria-label={summary}
      viewBox={`0 0 ${width} ${HEIGHT}`}
      className="h-auto w-full max-w-2xl rounded bg-slate-50"
      data-testid={testId}
    >
      <text x={LEFT} y={14} fontSize="14" className="fill-slate-700" data-testid="chart-rate-unit">
        {unit}/s
      </text>
      {rateTicks.map((tick) => (
        <g key={`r${tick}`}>
          <line
            x1={LEFT}
            x2={width - RIGHT}
            y1={y(tick * divisor)}
            y2={y(tick * divisor)}
            className="stroke-slate-300"
          />
          <text
            x={LEFT - 6}
            y={y(tick * divisor) + 4}
            fontSize="14"
            textAnchor="end"
            className="fill-slate-700"
            data-testid="chart-rate-tick"
          >
            {Number(tick.toPrecision(6))}
          </text>
        </g>
      ))}
      {timeTicks.map((tick) => (
        <g key={`t${tick}`}>
          <line x1={x(tick)} x2={x(tick)} y1={TOP + PLOT_H} y2={TOP + PLOT_H + 4} className="stroke-slate-600" />
          <text
            x={x(tick)}
            y={TOP + PLOT_H + 17}
            fontSize="14"
            textAnchor={tick === 0 ? "start" : "middle"}
            className="fill-slate-700"
            data-testid="chart-time-tick"
          >
            {timeLabel(tick)}
          </text>
        </g>
      ))}
      <line x1={LEFT} x2={width - RIGHT} y1={TOP + PLOT_H} y2={TOP + PLOT_H} className="stroke-slate-600" />
      <line x1={LEFT} x2={LEFT} y1={TOP} y2={TOP + PLOT_H} className="stroke-slate-600" />
      <text x={LEFT + plotWidth / 2} y={HEIGHT - 4} fontSize="14" textAnchor="middle" className="fill-slate-700">
        time since the job started
      </text>
      <polyline points={points} fill="none" className="stroke-blue-700" strokeWidth="2" strokeLinejoin="round" />
    </svg>
  );
}
