/**
 * Inline SVG charts for the report: plain strings, no scripts, no fonts or styles fetched from
 * anywhere. Values arrive as numbers (amounts converted by the caller; a chart needs no more
 * than double precision). Number formatting is fixed (no locale), so the report is reproducible.
 */

export interface Series {
  label: string;
  points: [number, number][];
}

const W = 560;
const H = 260;
const M = { left: 64, right: 12, top: 24, bottom: 36 };
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1234567 → "1.23M"; fixed rules, no locale. */
export function compact(v: number): string {
  const a = Math.abs(v);
  const units: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [u, s] of units) if (a >= u) return `${trim((v / u).toFixed(2))}${s}`;
  return trim(v.toFixed(a < 10 && a !== Math.floor(a) ? 2 : 0));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const step = 10 ** Math.floor(Math.log10(max / 4));
  const nice = [1, 2, 5, 10].map((k) => k * step).find((s) => max / s <= 5) ?? step * 10;
  const out: number[] = [];
  for (let v = 0; v <= max * 1.0001; v += nice) out.push(v);
  return out;
}

function frame(title: string, xLabel: string, xMax: number, yMax: number, body: string, legend: string): string {
  const sx = (x: number) => M.left + (xMax > 0 ? (x / xMax) * (W - M.left - M.right) : 0);
  const sy = (y: number) => H - M.bottom - (yMax > 0 ? (y / yMax) * (H - M.top - M.bottom) : 0);
  const yTicks = ticks(yMax).map(
    (v) =>
      `<line x1="${M.left}" x2="${W - M.right}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" stroke="#eee"/><text x="${M.left - 4}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${compact(v)}</text>`,
  );
  const xTicks = xMax > 0 ? ticks(xMax).map((v) => `<text x="${sx(v).toFixed(1)}" y="${H - M.bottom + 14}" text-anchor="middle">${compact(v)}</text>`) : [];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">
<text x="${M.left}" y="14" font-size="12" font-weight="bold">${esc(title)}</text>
${yTicks.join('')}${xTicks.join('')}
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#999"/><line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#999"/>
<text x="${(W + M.left) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>
${body}${legend}</svg>`;
}

function legendOf(labels: string[]): string {
  return labels
    .map(
      (l, i) =>
        `<rect x="${M.left + 8}" y="${M.top + 2 + i * 12}" width="8" height="8" fill="${PALETTE[i % PALETTE.length]}"/><text x="${M.left + 20}" y="${M.top + 10 + i * 12}">${esc(l)}</text>`,
    )
    .join('');
}

/** Lines over x (blocks), one per series, from 0 to the largest x and y. */
export function lineChart(title: string, xLabel: string, series: Series[]): string {
  const xMax = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const yMax = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const sx = (x: number) => M.left + (xMax > 0 ? (x / xMax) * (W - M.left - M.right) : 0);
  const sy = (y: number) => H - M.bottom - (yMax > 0 ? (y / yMax) * (H - M.top - M.bottom) : 0);
  const body = series
    .map(
      (s, i) =>
        `<polyline fill="none" stroke-width="1.5" stroke="${PALETTE[i % PALETTE.length]}" points="${s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
    )
    .join('');
  return frame(title, xLabel, xMax, yMax, body, legendOf(series.length <= 10 ? series.map((s) => s.label) : []));
}

/** One bar per label (e.g. a sweep point, mean over seeds). */
export function barChart(title: string, bars: { label: string; value: number }[]): string {
  const yMax = Math.max(0, ...bars.map((b) => b.value));
  const sy = (y: number) => H - M.bottom - (yMax > 0 ? (y / yMax) * (H - M.top - M.bottom) : 0);
  const slot = (W - M.left - M.right) / Math.max(1, bars.length);
  const body = bars
    .map((b, i) => {
      const x = M.left + i * slot + slot * 0.15;
      const y = sy(b.value);
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(H - M.bottom - y).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"><title>${esc(`${b.label}: ${compact(b.value)}`)}</title></rect><text x="${(x + slot * 0.35).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle">${compact(b.value)}</text>`;
    })
    .join('');
  // One line per space-separated part of the label (a sweep point's parameters), at most three.
  const labels = bars
    .map((b, i) => {
      const x = (M.left + i * slot + slot / 2).toFixed(1);
      const lines = b.label
        .split(' ')
        .slice(0, 3)
        .map((part, k) => `<tspan x="${x}" dy="${k === 0 ? 0 : 10}">${esc(part.length > 24 ? `${part.slice(0, 23)}…` : part)}</tspan>`);
      return `<text x="${x}" y="${H - M.bottom + 12}" text-anchor="middle" font-size="9">${lines.join('')}</text>`;
    })
    .join('');
  return frame(title, '', 0, yMax, body + labels, '');
}
