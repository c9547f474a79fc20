/**
 * `npm run mutation`: mutation testing of the conformance suite (conformance/MUTATION.md). Runs
 * StrykerJS with stryker.config.mjs — mutants in the reference receiver's decision code, the
 * conformance cases as the test command — then prints the score, and every surviving mutant as
 * `file:line:column  mutator  replacement`, from Stryker's JSON report.
 *
 *   npm run mutation                      # the whole run (about 1.5 hours on two cores)
 *   npm run mutation -- --report-only     # only the summary of the last run's report
 *   npm run mutation -- --report-only --killed   # also which cases killed each mutant
 *   npm run mutation -- --mutate 'src/reference/receiver/manager/closing.ts'   # other Stryker flags go to Stryker
 *
 * Exit code: Stryker's (1 when the score is below the break threshold, 90 %), or 2 when there is
 * no report to read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPORT_PATH = path.join(ROOT, 'reports/mutation/mutation.json');

/** The part of Stryker's JSON report (mutation-testing-report-schema) read here. */
export interface MutationReport {
  files: Record<string, { mutants: ReportMutant[] }>;
}
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  statusReason?: string;
  location: { start: { line: number; column: number } };
}

export interface MutationSummary {
  counts: Record<ReportMutant['status'], number>;
  /** killed + timeout over killed + timeout + survived + no coverage, in percent (Stryker's score) */
  score: number;
  survivors: { file: string; line: number; column: number; mutator: string; replacement: string; id: string }[];
}

export function summarize(report: MutationReport): MutationSummary {
  const counts: MutationSummary['counts'] = {
    Killed: 0,
    Survived: 0,
    Timeout: 0,
    NoCoverage: 0,
    CompileError: 0,
    RuntimeError: 0,
    Ignored: 0,
    Pending: 0,
  };
  const survivors: MutationSummary['survivors'] = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      counts[m.status] += 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const { line, column } = m.location.start;
        survivors.push({ file, line, column, mutator: m.mutatorName, replacement: oneLine(m.replacement ?? ''), id: m.id });
      }
    }
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { counts, score: valid === 0 ? 0 : (100 * detected) / valid, survivors };
}

/** The cases a killed mutant failed, read from the conformance run's output (Stryker keeps it). */
export function failingCases(statusReason: string): string[] {
  const ids = new Set<string>();
  for (const m of statusReason.matchAll(/^\s*(?:\[\d+\/\d+\]\s+)?(?:FAIL|ERROR|WARN)\s+(rdn\/[a-z0-9-]+\/\d+)/gim)) ids.add(m[1]!);
  return [...ids];
}

function oneLine(code: string): string {
  const flat = code.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

export function formatSummary(s: MutationSummary): string {
  const c = s.counts;
  const lines = [
    '',
    `mutation score ${s.score.toFixed(2)} %: killed ${c.Killed}, timeout ${c.Timeout}, survived ${c.Survived}, no coverage ${c.NoCoverage}` +
      (c.Ignored + c.CompileError + c.RuntimeError > 0
        ? ` (not counted: ignored ${c.Ignored}, compile error ${c.CompileError}, runtime error ${c.RuntimeError})`
        : ''),
    `surviving mutants (${s.survivors.length}; each explained or killed in conformance/MUTATION.md):`,
    ...s.survivors.map((m) => `  ${m.file}:${m.line}:${m.column}  ${m.mutator}  ${m.replacement}  [#${m.id}]`),
  ];
  return lines.join('\n');
}

/** Each killed mutant and the cases that failed with it. */
export function formatKilled(report: MutationReport): string {
  const lines = ['killed mutants and the cases that failed with them:'];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants.filter((m) => m.status === 'Killed').sort((a, b) => a.location.start.line - b.location.start.line)) {
      const cases = failingCases(m.statusReason ?? '');
      lines.push(
        `  ${file}:${m.location.start.line}:${m.location.start.column}  ${m.mutatorName}  ${oneLine(m.replacement ?? '')}  → ${cases.join(' ') || '(no case named)'}`,
      );
    }
  }
  return lines.join('\n');
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

function main(argv: string[]): number {
  const reportOnly = argv.includes('--report-only');
  const killed = argv.includes('--killed');
  let code = 0;
  if (!reportOnly) {
    const started = Date.now();
    process.stdout.write(`mutation: StrykerJS, load average ${loadAverage()}\n`);
    const run = spawnSync(path.join(ROOT, 'node_modules/.bin/stryker'), ['run', ...argv.filter((a) => a !== '--killed')], { cwd: ROOT, stdio: 'inherit' });
    code = run.status ?? 1;
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    process.stdout.write(`mutation: ran ${minutes} min, load average at the end ${loadAverage()}\n`);
  }
  if (!existsSync(REPORT_PATH)) {
    process.stderr.write(`mutation: no report at ${path.relative(process.cwd(), REPORT_PATH)}: run \`npm run mutation\` first\n`);
    return 2;
  }
  const report = JSON.parse(readFileSync(REPORT_PATH, 'utf8')) as MutationReport;
  if (killed) process.stdout.write(`${formatKilled(report)}\n`);
  process.stdout.write(`${formatSummary(summarize(report))}\n`);
  return code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
