/**
 * What a reader of report.html would trip over, measured in a real browser (layout with real
 * fonts): how wide the page is, text in a chart that overlaps other text (axis labels, titles,
 * value labels, legend entries), text cut off at a chart's edge, and legends or titles inside the
 * plot area. Used by test/simulator/report.test.ts and scripts/report-screenshots.ts.
 */
import type { Page } from 'playwright-core';

interface Box {
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Inspection {
  /** document width the 1280 px window would have to scroll to (tables scroll in their own box) */
  pageWidth: number;
  charts: number;
  overlaps: { chart: number; a: Box; b: Box }[];
  /** text reaching outside its chart's picture */
  cut: { chart: number; text: Box }[];
  /** legend or title boxes intersecting the plot area */
  inPlot: { chart: number; what: string }[];
  /** the report's one-line replacements of all-zero charts */
  zeroLines: string[];
  captions: string[];
}

export async function inspectReport(page: Page): Promise<Inspection> {
  return (await page.evaluate(IN_PAGE)) as Inspection;
}

/** Runs in the page (plain JavaScript: the kit's TypeScript has no DOM types). */
const IN_PAGE = `(() => {
  const box = (el, text = '') => {
    const r = el.getBoundingClientRect();
    return { text, x: r.x, y: r.y, w: r.width, h: r.height };
  };
  // A pixel of tolerance: anti-aliased glyph boxes of neighbours may touch.
  const meet = (a, b) => Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1;
  const out = {
    pageWidth: document.documentElement.scrollWidth,
    charts: 0,
    overlaps: [],
    cut: [],
    inPlot: [],
    zeroLines: [...document.querySelectorAll('p.zero')].map((p) => p.textContent),
    captions: [...document.querySelectorAll('figcaption')].map((p) => p.textContent),
  };
  document.querySelectorAll('figure svg').forEach((svg, chart) => {
    out.charts++;
    const frame = box(svg);
    const texts = [...svg.querySelectorAll('text')]
      .filter((t) => t.textContent.trim() !== '' && getComputedStyle(t).opacity !== '0' && t.getBoundingClientRect().width > 0)
      .map((t) => box(t, t.textContent));
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) if (meet(texts[i], texts[j])) out.overlaps.push({ chart, a: texts[i], b: texts[j] });
      const t = texts[i];
      if (t.x < frame.x - 1 || t.y < frame.y - 1 || t.x + t.w > frame.x + frame.w + 1 || t.y + t.h > frame.y + frame.h + 1) out.cut.push({ chart, text: t });
    }
    const plotEl = svg.querySelector('.role-frame.root > g > path.background');
    if (!plotEl) return;
    const plot = box(plotEl);
    for (const [what, selector] of [['legend', '.role-legend'], ['title', '.role-title']]) {
      for (const el of svg.querySelectorAll(selector)) if (meet(box(el), plot)) out.inPlot.push({ chart, what });
    }
  });
  return out;
})()`;
