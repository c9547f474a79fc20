// What the terminal shows: one compact line per case while the run goes on (outcome, id, time,
// and for a case that did not pass the `file:line` of the step that decided it), then the summary,
// where each failure is printed once, in full, with the hints at the very end where a reader
// looks. Colour only where the caller asks for it (the CLI: a terminal, see colorFor); the report
// files never carry any.
import { styleText } from 'node:util';
import type { Outcome } from './context.js';
import type { CaseResult, RunResult } from './results.js';

type Style = 'red' | 'green' | 'yellow' | 'gray' | 'bold';

/**
 * Whether to colour a stream: FORCE_COLOR decides when set (non-empty; `0` or `false` turn
 * colour off), then NO_COLOR (non-empty: no colour, https://no-color.org), then whether the
 * stream is a terminal (and TERM is not `dumb`).
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

function painter(color: boolean) {
  return (text: string, ...styles: Style[]): string => (color ? styles.reduce((t, s) => styleText(s, t), text) : text);
}

const MARK: Record<Outcome, [string, Style[]]> = {
  pass: ['pass ', ['green']],
  fail: ['FAIL ', ['red', 'bold']],
  warn: ['warn ', ['yellow']],
  unimplemented: ['unimp', ['gray']],
  error: ['ERROR', ['red', 'bold']],
};

/** Where a case was decided: the case file and the line of the step (or of the case). */
export function location(r: CaseResult): string {
  return `${r.file}:${r.stepLine ?? r.line}`;
}

/** `[ 4/90] FAIL  rdn/payment/4   31 ms  conformance/cases/payment.yaml:57` */
export function progressLine(r: CaseResult, n: number, total: number, color = false): string {
  const paint = painter(color);
  const [mark, style] = MARK[r.outcome];
  const count = `[${String(n).padStart(String(total).length)}/${total}]`;
  const head = `${count} ${paint(mark, ...style)} ${r.id.padEnd(24)} ${String(r.durationMs).padStart(6)} ms`;
  if (r.outcome === 'pass') return head;
  const known = r.expectedFailure !== undefined ? ' (expected failure)' : '';
  return `${head}  ${location(r)}${known}`;
}

function indented(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');
}

/** The end of a run: every case that did not pass in full, the counts, the slowest, the hints, the verdict. */
export function summaryTable(run: RunResult, options: { color?: boolean } = {}): string {
  const paint = painter(options.color ?? false);
  const lines: string[] = [];
  // After a start failure every case says the same: the line below says it once.
  const bad = run.startFailure ? [] : run.results.filter((r) => r.outcome === 'fail' || r.outcome === 'error' || r.outcome === 'warn');
  if (bad.length) {
    lines.push('', paint(`not passing (${bad.length})`, 'bold'));
    for (const r of bad) {
      const [mark, style] = MARK[r.outcome];
      const known = r.expectedFailure !== undefined ? paint(` (expected failure: ${r.expectedFailure})`, 'gray') : '';
      lines.push(`  ${paint(mark, ...style)} ${paint(r.id, 'bold')}  ${r.level} ${r.spec}  ${r.requirement}${known}`);
      lines.push(`        ${location(r)}`);
      if (r.message) lines.push(indented(r.message, '        '));
    }
  }
  const unimplemented = new Map<string, string[]>();
  for (const r of run.results.filter((x) => x.outcome === 'unimplemented')) {
    const why = r.message ?? 'unimplemented';
    unimplemented.set(why, [...(unimplemented.get(why) ?? []), r.id]);
  }
  if (unimplemented.size) {
    lines.push('', paint('unimplemented', 'bold'));
    for (const [why, ids] of unimplemented) lines.push(`  ${why}: ${ids.join(', ')}`);
  }
  if (run.startFailure) lines.push('', paint(`every case errored: the target did not start (${run.startFailure.reason})`, 'red'));
  const c = run.counts;
  lines.push(
    '',
    'outcome        cases',
    `pass           ${c.pass ? paint(String(c.pass), 'green') : '0'}`,
    `fail           ${c.fail ? paint(String(c.fail), 'red', 'bold') : '0'}`,
    `warn           ${c.warn ? paint(String(c.warn), 'yellow') : '0'}`,
    `unimplemented  ${c.unimplemented}`,
    `error          ${c.error ? paint(String(c.error), 'red', 'bold') : '0'}`,
    `total          ${run.results.length} in ${(run.totalMs / 1000).toFixed(1)} s`,
  );
  const known = run.results.filter((r) => r.expectedFailure !== undefined);
  if (known.length) lines.push(`(${known.length} expected failure(s) not counted: ${known.map((r) => r.id).join(', ')})`);
  const slow = [...run.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
  if (slow.length && !run.startFailure) {
    lines.push('', 'slowest cases');
    for (const r of slow) lines.push(`  ${String(r.durationMs).padStart(6)} ms  ${r.id}`);
  }
  if (run.hints.length) {
    lines.push('', paint('where to start', 'bold', 'yellow'));
    for (const h of run.hints) lines.push(`  → ${h}`);
  }
  const verdict =
    run.failing === 0 && !run.interrupted
      ? paint('RESULT: conformant (no fail, no error)', 'green', 'bold')
      : paint(
          `RESULT: ${run.interrupted ? 'interrupted' : `${run.failing} case(s) failing`}${run.stoppedAfter ? ` (stopped after ${run.stoppedAfter}: --bail; ${run.notRun} case(s) not run)` : ''}`,
          'red',
          'bold',
        );
  lines.push('', verdict);
  return lines.join('\n');
}
