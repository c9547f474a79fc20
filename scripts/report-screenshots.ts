/**
 * `npx tsx scripts/report-screenshots.ts OUT.png REPORT.html…`: opens each simulator report in
 * headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM) at 1280 × 900, saves a full-page
 * screenshot next to OUT (OUT for the first, OUT-2.png… for the others) and prints what a reader
 * would trip over: a page wider than the window, text in a chart that overlaps other text.
 * For looking at the report the way a person does; test/simulator/report.test.ts asserts the same.
 */
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/helpers/chromium.js';
import { inspectReport } from '../test/simulator/report-inspect.js';

const [out, ...reports] = process.argv.slice(2);
if (!out || reports.length === 0) {
  process.stderr.write('usage: tsx scripts/report-screenshots.ts OUT.png REPORT.html…\n');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
try {
  for (const [i, report] of reports.entries()) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(report).href);
    const file = i === 0 ? out : out.replace(/\.png$/, `-${i + 1}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const found = await inspectReport(page);
    process.stdout.write(
      `${report} → ${file}: page ${found.pageWidth} px wide, ${found.charts} charts; ${found.overlaps.length} overlapping text pair(s), ` +
        `${found.cut.length} text(s) cut at a chart's edge, ${found.inPlot.length} legend(s) or title(s) in a plot\n`,
    );
    for (const o of found.overlaps) process.stdout.write(`  overlap in chart ${o.chart}: ${JSON.stringify(o.a)} / ${JSON.stringify(o.b)}\n`);
    for (const c of found.cut) process.stdout.write(`  cut in chart ${c.chart}: ${JSON.stringify(c.text)}\n`);
    for (const p of found.inPlot) process.stdout.write(`  ${p.what} inside the plot of chart ${p.chart}\n`);
    for (const z of found.zeroLines) process.stdout.write(`  zero: ${z}\n`);
    for (const c of found.captions) process.stdout.write(`  caption: ${c}\n`);
    await page.close();
  }
} finally {
  await browser.close();
}
