/**
 * report.html: one self-contained page (inline SVG and CSS, no script, nothing fetched) with the
 * metrics over time for each run and, for a sweep or several seeds, the final figures across runs.
 */
import type { Row, RunResult } from './types.js';
import { barChart, esc, lineChart } from './svg.js';

/** Charts over time: column, title, divisor (wei → ETH for gas). */
const TIME_CHARTS: [string, string, number][] = [
  ['earned', 'Receiver: earned (served prices, tokens)', 1],
  ['received', 'Receiver: settled on chain (tokens)', 1],
  ['locked', 'Capital locked in the contract (tokens)', 1],
  ['gasReceiverWei', 'Gas paid by the receiver (ETH)', 1e18],
  ['gasSendersWei', 'Gas paid by the senders (ETH)', 1e18],
  ['served', 'Requests served', 1],
  ['refusedOffline', 'Requests refused while the receiver was offline', 1],
  ['lostToCheats', 'Tokens lost to undisputed stale closes', 1],
];

/** Final figures compared across runs. */
const SWEEP_CHARTS: [string, string, number][] = [
  ['earned', 'Earned (tokens)', 1],
  ['gasSendersWei', 'Senders’ gas (ETH)', 1e18],
  ['gasReceiverWei', 'Receiver’s gas (ETH)', 1e18],
  ['txSenders', 'Sender transactions', 1],
  ['lostToCheats', 'Lost to cheats (tokens)', 1],
  ['disputesWon', 'Disputes won', 1],
];

const MAX_LINES = 10;

export function renderReport(name: string, results: RunResult[]): string {
  const label = (r: RunResult) => runLabel(r.summary.params, r.summary.seed);
  const shown = results.slice(0, MAX_LINES);
  const overTime = TIME_CHARTS.map(([col, title, div]) =>
    lineChart(
      title,
      'block',
      shown.map((r) => ({ label: label(r), points: r.rows.map((row) => [Number(row.block), num(row[col]) / div] as [number, number]) })),
    ),
  );
  const lockedPeak = barChart(
    'Peak capital locked (tokens)',
    groups(results).map((g) => ({ label: g.label, value: mean(g.runs.map((r) => Number(r.summary.lockedPeak))) })),
  );
  const across =
    results.length > 1
      ? [
          lockedPeak,
          ...SWEEP_CHARTS.map(([col, title, div]) =>
            barChart(
              `${title}, mean over seeds`,
              groups(results).map((g) => ({ label: g.label, value: mean(g.runs.map((r) => num(r.summary.final[col]) / div)) })),
            ),
          ),
        ]
      : [];
  const note =
    results.length > MAX_LINES ? `<p>Charts over time show the first ${MAX_LINES} of ${results.length} runs; the tables and bar charts cover all.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(name)} — µRaiden economic simulation</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f4f4f4}.charts{display:flex;flex-wrap:wrap;gap:12px}.bad{color:#b00}</style>
</head><body>
<h1>${esc(name)}</h1>
<p>${results.length} run(s). Amounts in token base units; gas priced at the scenario's gas price. Blocks count from the first block after deployment.</p>
<h2>Summary per run</h2>
${summaryTable(results)}
${across.length ? `<h2>Across runs</h2><div class="charts">${across.join('\n')}</div>` : ''}
<h2>Over time</h2>${note}
<div class="charts">${overTime.join('\n')}</div>
</body></html>
`;
}

function summaryTable(results: RunResult[]): string {
  const cols = [
    'earned',
    'received',
    'gasReceiverWei',
    'gasSendersWei',
    'opened',
    'toppedUp',
    'closeRequests',
    'settled',
    'disputesRaised',
    'disputesWon',
    'disputesMissed',
    'lostToCheats',
    'served',
    'refusedOffline',
    'refusedOther',
  ];
  const head = `<tr><th>run</th><th>seed</th><th>parameters</th>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}<th>peak locked</th><th>tokens conserved</th></tr>`;
  const body = results.map((r) => {
    const s = r.summary;
    const cells = cols.map((c) => `<td>${esc(String(s.final[c] ?? ''))}</td>`).join('');
    const ok = s.conservation.holds
      ? 'yes'
      : `<span class="bad">NO (${esc(s.conservation.senderLoss)} ≠ ${esc(s.conservation.receiverGain)} + ${esc(s.conservation.contractHeld)})</span>`;
    return `<tr><td>${s.run}</td><td>${s.seed}</td><td>${esc(paramText(s.params))}</td>${cells}<td>${esc(s.lockedPeak)}</td><td>${ok}</td></tr>`;
  });
  return `<table>${head}${body.join('')}</table>`;
}

/** Runs grouped by sweep point (their seeds averaged), labelled with short parameter names. */
function groups(results: RunResult[]): { label: string; runs: RunResult[] }[] {
  const byKey = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = shortParams(r.summary.params) || 'all runs';
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  return [...byKey].map(([label, runs]) => ({ label, runs }));
}

function runLabel(params: Row, seed: number): string {
  const p = paramText(params);
  return p ? `${p} seed ${seed}` : `seed ${seed}`;
}

function paramText(params: Row): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** `senders.initialDeposit=20` → `initialDeposit=20`: the first segment only says where the field lives. */
function shortParams(params: Row): string {
  return Object.entries(params)
    .map(([k, v]) => `${k.split('.').slice(1).join('.') || k}=${v}`)
    .join(' ');
}

function num(v: unknown): number {
  return v === undefined ? 0 : Number(v);
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}
