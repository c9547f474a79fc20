/**
 * Writes a simulation's results: the tidy table (ticks.csv, ticks.json: one row per run and tick),
 * the per-run summaries (summary.json, summary.csv), the statistics across seeds per sweep point
 * (stats.json, stats.csv) and report.html. Everything here is a pure
 * function of the results — no timestamps, no host names — so the same scenario and seed give
 * byte-identical files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cell, Row, RunResult, RunSummary } from './types.js';
import { renderReport } from './report.js';
import { pointStats, statsRows } from './stats.js';

export interface OutputFiles {
  ticksCsv: string;
  ticksJson: string;
  summaryJson: string;
  summaryCsv: string;
  statsJson: string;
  statsCsv: string;
  report: string;
}

export function toCsv(rows: Row[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const cell = (v: Cell | undefined): string => {
    const s = v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns.map((c) => cell(c)).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/** One flat row per run: the params, the last tick's metrics, and the summary's own figures. */
export function summaryRows(summaries: RunSummary[]): Row[] {
  return summaries.map((s) => ({
    ...s.final,
    senders: s.senders,
    cheaters: s.cheaters,
    pendingRequests: s.pendingRequests,
    lockedPeak: s.lockedPeak,
    lockedMean: s.lockedMean,
    conservationHolds: s.conservation.holds ? 1 : 0,
  }));
}

export async function renderOutputs(name: string, results: RunResult[]): Promise<OutputFiles> {
  const rows = results.flatMap((r) => r.rows);
  const summaries = results.map((r) => r.summary);
  const stats = pointStats(results);
  return {
    ticksCsv: toCsv(rows),
    ticksJson: `${JSON.stringify(rows, null, 1)}\n`,
    summaryJson: `${JSON.stringify(summaries, null, 2)}\n`,
    summaryCsv: toCsv(summaryRows(summaries)),
    statsJson: `${JSON.stringify(stats, null, 2)}\n`,
    statsCsv: toCsv(statsRows(stats)),
    report: await renderReport(name, results, stats),
  };
}

export async function writeOutputs(dir: string, name: string, results: RunResult[]): Promise<OutputFiles> {
  const files = await renderOutputs(name, results);
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'ticks.csv'), files.ticksCsv),
    writeFile(join(dir, 'ticks.json'), files.ticksJson),
    writeFile(join(dir, 'summary.json'), files.summaryJson),
    writeFile(join(dir, 'summary.csv'), files.summaryCsv),
    writeFile(join(dir, 'stats.json'), files.statsJson),
    writeFile(join(dir, 'stats.csv'), files.statsCsv),
    writeFile(join(dir, 'report.html'), files.report),
  ]);
  return files;
}
