/**
 * The report's charts: Vega-Lite specs (data inline) rendered to SVG by Vega itself, headless —
 * no browser, no canvas, nothing fetched. A charting library gets right what hand-drawn SVG got
 * wrong: ticks at nice steps with the precision they need, titles and legends in their own space
 * outside the plot, axis labels that do not collide. Each spec is also embedded in the report
 * next to its picture, so a researcher can re-plot it (Vega editor, vl-convert, Altair).
 *
 * Vega numbers the clip paths it defines (`clip1`, `clip2`, …) with a counter per process: the
 * report resets it once (resetChartIds) and renders its charts in a fixed order, so ids are unique
 * within a page and the same in every process that renders the same results.
 */
import { View, parse, resetSVGDefIds, type Loader } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Scale } from './units.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Plot area of a time chart; two of them with axes fit side by side in a 1280 px window. */
const TIME_WIDTH = 420;
const HEIGHT = 190;
/** Band width limits of a sweep chart's points, and the widest a sweep chart may grow. */
const MIN_STEP = 44;
const MAX_STEP = 240;
const MAX_WIDTH = 1080;
/** A chart of one or two bars is no narrower than this (its title needs the room). */
const MIN_WIDTH = 150;
const GREY = '#888';
/**
 * Width of one character of an 11 px sans-serif label, on the generous side (DejaVu Sans, the
 * widest common default, averages 6.5 px): the bands are sized with it so that their labels never
 * meet. Vega itself, without a canvas to measure with, reckons 0.8 × the font size and would hide
 * labels it wrongly thinks overlap, so its own overlap check is off for these labels.
 */
const CHAR_WIDTH = 7.2;

const CONFIG = {
  font: 'sans-serif',
  title: { anchor: 'start', fontSize: 13, subtitleFontSize: 11, subtitleColor: '#555', offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'vertical', labelLimit: 0 },
  view: { stroke: '#ccc' },
};

/** Charts load nothing: every spec carries its data. */
const NO_LOADER = {
  load: () => Promise.reject(new Error('the simulator charts load no data')),
  sanitize: () => Promise.reject(new Error('the simulator charts load no data')),
  http: () => Promise.reject(new Error('no network')),
  file: () => Promise.reject(new Error('no files')),
} as unknown as Loader;

export function resetChartIds(): void {
  resetSVGDefIds();
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none', loader: NO_LOADER });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function yAxis(scale: Scale) {
  return { ...(scale.axis !== undefined && { format: scale.axis }), ...(scale.integer && { tickMinStep: 1 }) };
}

export interface TimeSeries {
  /** legend label; '' when the chart has one series */
  label: string;
  /** [block, value in shown units] */
  points: [number, number][];
}

/**
 * Lines over blocks, one per series, the receiver's offline windows shaded grey behind them.
 * Windows are [from, to) in blocks; the chart's x range is the runs' blocks, windows are clipped.
 */
export function timeChartSpec(opts: {
  title: string;
  yTitle: string;
  scale: Scale;
  series: TimeSeries[];
  windows: { from: number; to: number }[];
}): TopLevelSpec {
  const values = opts.series.flatMap((s) => s.points.map(([block, value]) => ({ series: s.label, block, value })));
  const xMax = Math.max(0, ...values.map((v) => v.block));
  const several = opts.series.length > 1;
  const line = {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.8 },
    encoding: {
      x: { field: 'block', type: 'quantitative', title: 'block', scale: { domain: [0, xMax], nice: false }, axis: { format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: opts.yTitle, axis: yAxis(opts.scale) },
      ...(several ? { color: { field: 'series', type: 'nominal', title: null, sort: null, scale: { scheme: 'tableau10' } } } : { color: { value: '#1f77b4' } }),
      // Dashes as well as colours: lines that cross stay apart, and in grey print too (one legend for both).
      ...(several && { strokeDash: { field: 'series', type: 'nominal', sort: null, title: null } }),
    },
  };
  const shade = {
    data: { values: opts.windows.map((w) => ({ from: w.from, to: Math.min(w.to, xMax) })).filter((w) => w.from < xMax) },
    mark: { type: 'rect', color: GREY, opacity: 0.18, clip: true },
    encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
  };
  return {
    $schema: SCHEMA,
    title: { text: opts.title },
    width: TIME_WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: opts.windows.length > 0 ? [shade, line] : [line],
  } as TopLevelSpec;
}

export interface SweepBar {
  /** short name on the axis (P1, P2…) */
  point: string;
  /** lines under it (the point's parameters), when they fit */
  lines: string[];
  mean: number;
  /** 95 % interval, when the point has several seeds */
  ci?: [number, number];
  /** each run's value (shown as dots when there are several) */
  runs: number[];
  /** the mean as printed above the bar */
  text: string;
}

/**
 * A bar per sweep point (the mean over its seeds), the 95 % interval as an error bar, the single
 * runs as dots. The points' parameters go under their bars when they fit; otherwise the bars are
 * labelled with their short names only (the report's table of sweep points says what they are).
 */
export function sweepChartSpec(opts: { title: string; subtitle: string; yTitle: string; scale: Scale; bars: SweepBar[] }): TopLevelSpec {
  const stepFor = (lines: string[]) => Math.max(MIN_STEP, Math.ceil(Math.max(0, ...lines.map((l) => l.length)) * CHAR_WIDTH) + 12);
  const full = stepFor(opts.bars.flatMap((b) => [b.point, ...b.lines]));
  const withLines = full <= MAX_STEP && full * opts.bars.length <= MAX_WIDTH;
  const step = withLines ? full : stepFor(opts.bars.map((b) => b.point));
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, step * opts.bars.length));
  const label = (b: SweepBar) => (withLines ? [b.point, ...b.lines] : [b.point]).join('\n');
  const top = (b: SweepBar) => Math.max(b.mean, b.ci?.[1] ?? b.mean, ...b.runs);
  const yMax = Math.max(0, ...opts.bars.map(top));
  const points = opts.bars.map((b) => ({ label: label(b), mean: b.mean, low: b.ci?.[0], high: b.ci?.[1], top: top(b), text: b.text }));
  const x = {
    field: 'label',
    type: 'nominal',
    title: null,
    sort: null,
    axis: { labelAngle: 0, labelExpr: "split(datum.label, '\\n')", labelLimit: 0, labelOverlap: false, labelPadding: 4 },
  };
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: opts.yTitle,
    // Room above the tallest bar for its label: the labels stay inside the plot, under the title.
    scale: { domain: [0, yMax > 0 ? yMax * 1.18 : 1], nice: true },
    axis: yAxis(opts.scale),
  };
  const layers: unknown[] = [
    { mark: { type: 'bar', color: '#4c78a8', width: { band: 0.6 } }, encoding: { x, y } },
    { mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, color: '#222' }, encoding: { x, y: { ...y, field: 'top' }, text: { field: 'text' } } },
  ];
  if (opts.bars.some((b) => b.ci)) {
    layers.push({
      transform: [{ filter: 'isValid(datum.low)' }],
      mark: { type: 'errorbar', ticks: { width: 10 }, color: '#222' },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
    });
  }
  if (opts.bars.some((b) => b.runs.length > 1)) {
    layers.push({
      data: { values: opts.bars.flatMap((b) => b.runs.map((value) => ({ label: label(b), value }))) },
      mark: { type: 'point', filled: true, size: 16, color: '#d62728', opacity: 0.7 },
      encoding: { x, y: { ...y, field: 'value' } },
    });
  }
  return {
    $schema: SCHEMA,
    title: { text: opts.title, subtitle: opts.subtitle },
    width,
    height: HEIGHT,
    config: CONFIG,
    data: { values: points },
    layer: layers,
  } as TopLevelSpec;
}
