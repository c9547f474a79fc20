/**
 * Statistics across seeds: for each sweep point (the runs that differ only in their seed) and each
 * metric of the run's end, the number of runs, the mean, the sample standard deviation and the
 * 95 % confidence interval of the mean, mean ± t(0.975, n − 1) · sd / √n (Student's t: the seeds
 * are few, and the normal quantile 1.96 would make the interval too narrow; for n = 3 the factor
 * is 4.30). With one seed there is no spread to measure: sd and the interval are left empty.
 *
 * The figures are doubles (amounts beyond 2^53 lose their last digits here, never in the tables).
 * The t quantile comes from jStat (one package, no dependencies); the tests check it against the
 * textbook table.
 */
import jstat from 'jstat';
import { METRIC_COLUMNS, paramCell } from './metrics.js';
import type { Cell, Row, RunResult, RunSummary } from './types.js';

/** What the statistics are taken of: the run's final metrics (but `online`, a state) and capital locked. */
export const STAT_METRICS = [...METRIC_COLUMNS.filter((c) => c !== 'online'), 'lockedPeak', 'lockedMean'] as const;
export type StatMetric = (typeof STAT_METRICS)[number];

export interface Estimate {
  n: number;
  mean: number;
  /** sample standard deviation (n − 1); null for one run */
  sd: number | null;
  /** 95 % confidence interval of the mean (Student t); null for one run */
  ci95: [number, number] | null;
}

export interface PointStats {
  /** 1-based, in run order */
  point: number;
  params: Record<string, Cell>;
  runs: number[];
  seeds: number[];
  metrics: Record<StatMetric, Estimate>;
}

/** t(0.975, df): the two-sided 95 % quantile of Student's t distribution. */
export function tQuantile95(df: number): number {
  return jstat.jStat.studentt.inv(0.975, df);
}

export function estimate(values: number[]): Estimate {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: null, ci95: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile95(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

export function metricValue(s: RunSummary, metric: StatMetric): number {
  if (metric === 'lockedPeak') return Number(s.lockedPeak);
  if (metric === 'lockedMean') return Number(s.lockedMean);
  return Number(s.final[metric] ?? 0);
}

/** Runs grouped by sweep point, in the order the points first appear (the plan's order). */
export function sweepPoints(results: RunResult[]): { params: Record<string, Cell>; runs: RunResult[] }[] {
  const byKey = new Map<string, { params: Record<string, Cell>; runs: RunResult[] }>();
  for (const r of results) {
    const key = JSON.stringify(r.summary.params);
    const point = byKey.get(key) ?? { params: r.summary.params, runs: [] };
    point.runs.push(r);
    byKey.set(key, point);
  }
  return [...byKey.values()];
}

export function pointStats(results: RunResult[]): PointStats[] {
  return sweepPoints(results).map((p, i) => ({
    point: i + 1,
    params: p.params,
    runs: p.runs.map((r) => r.summary.run),
    seeds: p.runs.map((r) => r.summary.seed),
    metrics: Object.fromEntries(STAT_METRICS.map((m) => [m, estimate(p.runs.map((r) => metricValue(r.summary, m)))])) as Record<StatMetric, Estimate>,
  }));
}

/** stats.csv: one row per sweep point and metric (tidy), the point's parameters as columns. */
export function statsRows(stats: PointStats[]): Row[] {
  return stats.flatMap((p) =>
    STAT_METRICS.map((m): Row => {
      const e = p.metrics[m];
      return {
        point: p.point,
        ...Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, paramCell(v)])),
        metric: m,
        n: e.n,
        mean: e.mean,
        sd: e.sd ?? '',
        ci95Low: e.ci95?.[0] ?? '',
        ci95High: e.ci95?.[1] ?? '',
      };
    }),
  );
}
