/**
 * report.html: one self-contained page (inline SVG and CSS; nothing fetched, nothing executed) —
 * the sweep points, the final figures across the sweep with their spread over seeds, a summary
 * per run, and the metrics over time. Every chart's Vega-Lite spec, with its data, is embedded
 * after it (`<script type="application/json" class="vega-lite">`, which a browser does not run).
 *
 * What a reader would otherwise trip over is handled here: units chosen by magnitude (units.ts),
 * series that coincide drawn once and said so, charts that would be flat at zero replaced by one
 * line, the receiver's offline windows shaded, sweep points named P1, P2… with their parameters
 * in a table (and under the bars when they fit), wide tables scrolling inside their box.
 */
import { renderSvg, resetChartIds, sweepChartSpec, timeChartSpec, type SweepBar, type TimeSeries } from './charts.js';
import type { MetricColumn } from './metrics.js';
import { metricValue, sweepPoints, type PointStats, type StatMetric } from './stats.js';
import type { Cell, RunResult } from './types.js';
import { formatNumber, formatScaled, scaleFor, type Quantity, type Scale } from './units.js';
import { numberRanges } from './ranges.js';
import type { TopLevelSpec } from 'vega-lite';

interface ChartDef<M extends string> {
  metric: M;
  title: string;
  quantity: Quantity;
  /** what a count counts (the y axis's title; amounts are titled by their unit) */
  counts?: string;
}

/** Metrics over time, one line per run. */
const TIME_CHARTS: ChartDef<MetricColumn>[] = [
  { metric: 'earned', title: 'Receiver: earned off chain (served prices)', quantity: 'tokens' },
  { metric: 'received', title: 'Receiver: settled on chain', quantity: 'tokens' },
  { metric: 'locked', title: 'Capital locked in the contract', quantity: 'tokens' },
  { metric: 'gasReceiverWei', title: 'Gas paid by the receiver', quantity: 'wei' },
  { metric: 'gasSendersWei', title: 'Gas paid by the senders', quantity: 'wei' },
  { metric: 'served', title: 'Requests served', quantity: 'count', counts: 'requests' },
  { metric: 'refusedOffline', title: 'Requests refused while the receiver was offline', quantity: 'count', counts: 'requests' },
  { metric: 'lostToCheats', title: 'Tokens lost to undisputed stale closes', quantity: 'tokens' },
];

/** Final figures compared across the sweep points. */
const SWEEP_CHARTS: ChartDef<StatMetric>[] = [
  { metric: 'earned', title: 'Earned', quantity: 'tokens' },
  { metric: 'lockedPeak', title: 'Peak capital locked', quantity: 'tokens' },
  { metric: 'gasSendersWei', title: 'Senders’ gas', quantity: 'wei' },
  { metric: 'gasReceiverWei', title: 'Receiver’s gas', quantity: 'wei' },
  { metric: 'txSenders', title: 'Sender transactions', quantity: 'count', counts: 'transactions' },
  { metric: 'refusedOffline', title: 'Requests refused while offline', quantity: 'count', counts: 'requests' },
  { metric: 'lostToCheats', title: 'Lost to stale closes', quantity: 'tokens' },
  { metric: 'disputesWon', title: 'Disputes won', quantity: 'count', counts: 'disputes' },
];

/** Runs drawn over time (the tables cover all). */
const MAX_LINES = 10;
/** Runs listed in the summary table (summary.csv has every one). */
const MAX_TABLE_RUNS = 500;

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function renderReport(name: string, results: RunResult[], stats: PointStats[]): Promise<string> {
  resetChartIds();
  const points = sweepPoints(results);
  const pointOf = new Map(points.flatMap((p, i) => p.runs.map((r) => [r.summary.run, i + 1] as const)));
  const seedsPerPoint = Math.max(...points.map((p) => p.runs.length));
  const ctx: Ctx = { results, points: points.map((p) => p.params), pointOf, several: { points: points.length > 1, seeds: seedsPerPoint > 1 } };
  const across = results.length > 1 ? await acrossSection(ctx, stats) : '';
  const overTime = await overTimeSection(ctx);
  const shape =
    points.length > 1 || seedsPerPoint > 1 ? ` (${points.length} sweep point${points.length > 1 ? 's' : ''} × ${plural(seedsPerPoint, 'seed')})` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(name)} — µRaiden economic simulation</title>
<style>${STYLE}</style>
</head><body>
<h1>${esc(name)}</h1>
<p>${plural(results.length, 'run')}${shape}. Token amounts are in the token’s base units; gas is what each transaction used, priced at the scenario’s gas price, shown in wei, gwei or ETH by magnitude. Blocks count from the first block after deployment. The tables behind every figure are <code>ticks.csv</code>, <code>summary.csv</code> and <code>stats.csv</code> beside this file; each chart’s Vega-Lite spec, data included, follows it in this page’s source (<code>script type="application/json"</code>) for re-plotting.</p>
${points.length > 1 ? pointsTable(ctx) : ''}
${across}
<h2>Summary per run</h2>
${summaryTable(ctx)}
${overTime}
</body></html>
`;
}

const STYLE = [
  'body{font-family:sans-serif;color:#222;margin:0 auto;padding:12px 20px;max-width:1240px;box-sizing:border-box}',
  'h2{margin-top:1.6em;border-bottom:1px solid #ddd}',
  '.box{overflow-x:auto;max-width:100%;margin:8px 0}',
  'table{border-collapse:collapse;font-size:12px}',
  'td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}',
  'th{background:#f4f4f4;font-weight:600}',
  'td.l,th.l{text-align:left}',
  '.charts{display:flex;flex-wrap:wrap;gap:18px 28px;align-items:flex-start}',
  'figure{margin:0}',
  'figcaption{font-size:12px;color:#444;margin:2px 0 0 8px}',
  '.zero{font-size:13px;color:#444;margin:4px 0}',
  '.bad{color:#b00;font-weight:600}',
  'small{color:#555}',
].join('');

interface Ctx {
  results: RunResult[];
  /** parameters of sweep point k + 1 */
  points: Record<string, Cell>[];
  /** run → its sweep point (1-based) */
  pointOf: Map<number, number>;
  several: { points: boolean; seeds: boolean };
}

async function figure(spec: TopLevelSpec, caption: string): Promise<string> {
  const svg = await renderSvg(spec);
  const width = /width="(\d+)"/.exec(svg)?.[1];
  // In a JSON script block only `</script` could end it early; escaping every `<` rules that out.
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<figure${width ? ` style="max-width:${width}px"` : ''}>${svg}${caption ? `<figcaption>${caption}</figcaption>` : ''}<script type="application/json" class="vega-lite">${json}</script></figure>`;
}

/** The y axis says the unit only: the chart's title says what (a long rotated title would not fit the plot's height). */
function yTitle(def: ChartDef<string>, scale: Scale): string {
  return scale.unit || (def.counts ?? '');
}

function zeroLine(title: string, where: string): string {
  return `<p class="zero"><b>${esc(title)}</b>: 0 in ${where} (no chart).</p>`;
}

// ---- sweep points ---------------------------------------------------------------------------

/** `senders.initialDeposit` → `initialDeposit`; `resources.0.price` stays whole (the index alone says nothing). */
function shortName(path: string): string {
  const rest = path.split('.').slice(1);
  return rest.length > 0 && !/^\d/.test(rest[0]!) ? rest.join('.') : path;
}

/** A swept value for people: offline windows as block ranges, lists and objects as compact JSON. */
function paramValue(v: Cell): string {
  if (typeof v === 'number') return formatNumber(v, ',~r');
  if (!/^[[{]/.test(v)) return v;
  const parsed = JSON.parse(v) as unknown;
  const isWindow = (w: unknown): w is { from: number; to: number } => typeof w === 'object' && w !== null && 'from' in w && 'to' in w;
  if (Array.isArray(parsed) && parsed.every(isWindow)) return parsed.length === 0 ? 'none' : parsed.map((w) => `${w.from}–${w.to}`).join(', ');
  return v;
}

function paramLines(params: Record<string, Cell>): string[] {
  return Object.entries(params).map(([k, v]) => `${shortName(k)}=${paramValue(v)}`);
}

function pointsTable(ctx: Ctx): string {
  const rows = ctx.points.map((params, i) => {
    const runs = ctx.results.filter((r) => ctx.pointOf.get(r.summary.run) === i + 1);
    const cells = Object.entries(params)
      .map(([k, v]) => `<code>${esc(k)}</code> = ${esc(paramValue(v))}`)
      .join('<br>');
    return `<tr><th>P${i + 1}</th><td class="l">${cells}</td><td class="l">${esc(runs.map((r) => r.summary.run).join(', '))}</td><td class="l">${esc(runs.map((r) => r.summary.seed).join(', '))}</td></tr>`;
  });
  return `<h2>Sweep points</h2><div class="box"><table><tr><th>point</th><th class="l">parameters</th><th class="l">runs</th><th class="l">seeds</th></tr>${rows.join('')}</table></div>`;
}

// ---- across the sweep -----------------------------------------------------------------------

async function acrossSection(ctx: Ctx, stats: PointStats[]): Promise<string> {
  const seeds = Math.max(...stats.map((p) => p.runs.length));
  const parts: string[] = [];
  for (const def of SWEEP_CHARTS) {
    const all = ctx.results.map((r) => metricValue(r.summary, def.metric));
    if (all.every((v) => v === 0)) {
      parts.push(zeroLine(def.title, 'every run'));
      continue;
    }
    const scale = scaleFor(def.quantity, Math.max(...all.map(Math.abs)));
    const bars = stats.map((p): SweepBar => {
      const e = p.metrics[def.metric];
      const d = scale.divisor;
      return {
        point: stats.length > 1 ? `P${p.point}` : 'all runs',
        lines: paramLines(p.params),
        mean: e.mean / d,
        ...(e.ci95 && { ci: [e.ci95[0] / d, e.ci95[1] / d] as [number, number] }),
        runs: p.runs.map((run) => metricValue(ctx.results.find((r) => r.summary.run === run)!.summary, def.metric) / d),
        text: formatScaled(e.mean, scale),
      };
    });
    // Short: Vega sizes the picture to its own (generous) estimate of the subtitle's width.
    const subtitle = seeds > 1 ? `mean of ${plural(seeds, 'seed')}` : 'one run per point';
    parts.push(await figure(sweepChartSpec({ title: def.title, subtitle, yTitle: yTitle(def, scale), scale, bars }), ''));
  }
  const notes = [
    ...(stats.length > 1 ? ['P1, P2… are the sweep points of the table above.'] : []),
    ...(seeds > 1 ? ['Bars: the mean over the seeds; whiskers: its 95 % confidence interval (Student t); dots: the single runs.'] : []),
  ];
  const note = notes.length > 0 ? `<p>${notes.join(' ')}</p>` : '';
  return `<h2>Across ${stats.length > 1 ? 'the sweep' : 'seeds'}</h2>${note}<div class="charts">${parts.join('\n')}</div>${seeds > 1 ? statsTable(ctx, stats) : ''}`;
}

/** Mean and 95 % interval per point, for the metrics of the charts. */
function statsTable(ctx: Ctx, stats: PointStats[]): string {
  const head = `<tr><th class="l">metric</th>${stats.map((p) => `<th>P${p.point} <small>(n=${p.runs.length})</small></th>`).join('')}</tr>`;
  const rows = SWEEP_CHARTS.map((def) => {
    const scale = scaleFor(def.quantity, Math.max(0, ...ctx.results.map((r) => Math.abs(metricValue(r.summary, def.metric)))));
    const cells = stats.map((p) => {
      const e = p.metrics[def.metric];
      const ci = e.ci95 && e.ci95[0] !== e.ci95[1] ? `<br><small>[${formatScaled(e.ci95[0], scale)}, ${formatScaled(e.ci95[1], scale)}]</small>` : '';
      return `<td>${formatScaled(e.mean, scale)}${ci}</td>`;
    });
    return `<tr><th class="l">${esc(def.title)}${scale.unit ? ` <small>(${scale.unit})</small>` : ''}</th>${cells.join('')}</tr>`;
  });
  return `<h3>Mean and 95 % confidence interval per sweep point</h3><div class="box"><table>${head}${rows.join('')}</table></div>`;
}

// ---- summary per run ------------------------------------------------------------------------

interface Column {
  head: string;
  quantity: Quantity;
  value: (r: RunResult) => number;
}

function summaryTable(ctx: Ctx): string {
  const final = (c: MetricColumn) => (r: RunResult) => Number(r.summary.final[c] ?? 0);
  const cols: Column[] = [
    { head: 'earned', quantity: 'tokens', value: final('earned') },
    { head: 'received', quantity: 'tokens', value: final('received') },
    { head: 'peak<br>locked', quantity: 'tokens', value: (r) => Number(r.summary.lockedPeak) },
    { head: 'receiver<br>gas', quantity: 'wei', value: final('gasReceiverWei') },
    { head: 'senders<br>gas', quantity: 'wei', value: final('gasSendersWei') },
    { head: 'sender<br>tx', quantity: 'count', value: final('txSenders') },
    { head: 'opened', quantity: 'count', value: final('opened') },
    { head: 'top-ups', quantity: 'count', value: final('toppedUp') },
    { head: 'close<br>requests', quantity: 'count', value: final('closeRequests') },
    { head: 'settled', quantity: 'count', value: final('settled') },
    { head: 'disputes<br>raised', quantity: 'count', value: final('disputesRaised') },
    { head: 'disputes<br>won', quantity: 'count', value: final('disputesWon') },
    { head: 'disputes<br>missed', quantity: 'count', value: final('disputesMissed') },
    { head: 'lost to<br>cheats', quantity: 'tokens', value: final('lostToCheats') },
    { head: 'served', quantity: 'count', value: final('served') },
    { head: 'refused<br>offline', quantity: 'count', value: final('refusedOffline') },
    { head: 'refused<br>other', quantity: 'count', value: final('refusedOther') },
  ];
  const shown = ctx.results.slice(0, MAX_TABLE_RUNS);
  const scales = cols.map((c) => scaleFor(c.quantity, Math.max(0, ...ctx.results.map((r) => Math.abs(c.value(r))))));
  const unit = (s: Scale) => (s.unit && s.unit !== 'tokens' ? `<br><small>${s.unit}</small>` : '');
  const head = `<tr><th>run</th><th>seed</th>${ctx.several.points ? '<th>point</th>' : ''}${cols.map((c, i) => `<th>${c.head}${unit(scales[i]!)}</th>`).join('')}<th>tokens<br>conserved</th></tr>`;
  const body = shown.map((r) => {
    const s = r.summary;
    const cells = cols.map((c, i) => `<td>${formatScaled(c.value(r), scales[i]!)}</td>`).join('');
    const ok = s.conservation.holds
      ? 'yes'
      : `<span class="bad">NO: ${esc(s.conservation.senderLoss)} ≠ ${esc(s.conservation.receiverGain)} + ${esc(s.conservation.contractHeld)}</span>`;
    return `<tr><td>${s.run}</td><td>${s.seed}</td>${ctx.several.points ? `<td>P${ctx.pointOf.get(s.run)}</td>` : ''}${cells}<td>${ok}</td></tr>`;
  });
  const more = ctx.results.length > shown.length ? `<p>The first ${shown.length} of ${ctx.results.length} runs; <code>summary.csv</code> has all.</p>` : '';
  return `${more}<div class="box"><table>${head}${body.join('')}</table></div>`;
}

// ---- over time ------------------------------------------------------------------------------

async function overTimeSection(ctx: Ctx): Promise<string> {
  const shown = ctx.results.slice(0, MAX_LINES);
  const note =
    ctx.results.length > shown.length ? `<p>The first ${MAX_LINES} of ${ctx.results.length} runs; the tables and the charts above cover all.</p>` : '';
  const windows = offlineWindows(shown);
  const parts: string[] = [];
  for (const def of TIME_CHARTS) {
    const raw = shown.map((r) => r.rows.map((row) => [Number(row.block), Number(row[def.metric] ?? 0)] as [number, number]));
    const maxAbs = Math.max(0, ...raw.flat().map(([, v]) => Math.abs(v)));
    if (maxAbs === 0) {
      parts.push(zeroLine(def.title, shown.length > 1 ? 'every run, at every tick' : 'every tick'));
      continue;
    }
    const scale = scaleFor(def.quantity, maxAbs);
    const groups = identicalGroups(raw.map((points) => points.map(([b, v]) => [b, v / scale.divisor] as [number, number])));
    const series: TimeSeries[] = groups.map((g) => ({
      label:
        shown.length > 1
          ? seriesLabel(
              ctx,
              g.members.map((i) => shown[i]!),
            )
          : '',
      points: g.points,
    }));
    const same = groups
      .filter((g) => g.members.length > 1)
      .map((g) =>
        g.members.length === shown.length
          ? `All ${shown.length} runs are identical here: one line`
          : `${runList(g.members.map((i) => shown[i]!.summary.run))} are identical here: one line`,
      );
    const caption = [...same, ...(windows.caption ? [windows.caption] : [])].join('. ');
    const spec = timeChartSpec({ title: def.title, yTitle: yTitle(def, scale), scale, series, windows: windows.ranges });
    parts.push(await figure(spec, caption ? `${esc(caption)}.` : ''));
  }
  return `<h2>Over time</h2>${note}<div class="charts">${parts.join('\n')}</div>`;
}

/** Series with exactly the same points, grouped, in the order of their first member. */
function identicalGroups(series: [number, number][][]): { members: number[]; points: [number, number][] }[] {
  const byKey = new Map<string, { members: number[]; points: [number, number][] }>();
  series.forEach((points, i) => {
    const key = JSON.stringify(points);
    const g = byKey.get(key) ?? { members: [], points };
    g.members.push(i);
    byKey.set(key, g);
  });
  return [...byKey.values()];
}

function seriesLabel(ctx: Ctx, runs: RunResult[]): string {
  const first = runs[0]!.summary;
  if (runs.length > 1) return `${runList(runs.map((r) => r.summary.run))} (identical)`;
  const parts = [`run ${first.run}`];
  if (ctx.several.points) parts.push(`P${ctx.pointOf.get(first.run)}`);
  if (ctx.several.seeds) parts.push(`seed ${first.seed}`);
  return parts.join(' · ');
}

/** `Runs 0, 2 and 5`; `Runs 0–3 and 7`. */
function runList(runs: number[]): string {
  const parts = numberRanges(runs);
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]!;
  return `${runs.length > 1 ? 'Runs' : 'Run'} ${text}`;
}

/** The distinct offline windows of the runs drawn, and a caption saying whose they are. */
function offlineWindows(runs: RunResult[]): { ranges: { from: number; to: number }[]; caption: string } {
  const byRange = new Map<string, { from: number; to: number; runs: number[] }>();
  for (const r of runs) {
    for (const w of r.summary.offline) {
      const key = `${w.from}-${w.to}`;
      const entry = byRange.get(key) ?? { from: w.from, to: w.to, runs: [] };
      entry.runs.push(r.summary.run);
      byRange.set(key, entry);
    }
  }
  const ranges = [...byRange.values()];
  if (ranges.length === 0) return { ranges: [], caption: '' };
  const whose = (e: { runs: number[] }) => (e.runs.length === runs.length ? (runs.length > 1 ? 'every run' : '') : runList(e.runs).toLowerCase());
  const list = ranges.map((e) => `blocks ${e.from}–${e.to}${whose(e) ? ` (${whose(e)})` : ''}`).join(', ');
  return { ranges, caption: `Grey: the receiver was offline, ${list}` };
}

function plural(n: number, word: string): string {
  return `${formatNumber(n, ',d')} ${word}${n === 1 ? '' : 's'}`;
}
