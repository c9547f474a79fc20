/**
 * The reports as a person sees them: the three example scenarios are simulated (real chain, proxy
 * and clients), their report.html opened in headless Chromium (Debian's) at 1280 × 900 and
 * measured with real fonts — no page wider than the window (wide tables scroll in their box), no
 * text in a chart touching other text, nothing cut at a chart's edge, no legend or title inside a
 * plot — and what each example must say is there: offline windows shaded and named, identical
 * series noted, all-zero charts replaced by one line, gas in a unit that suits it. A sweep of many
 * points with long parameters (the runs of one example, relabelled) is measured the same way.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { loadScenario, planRuns, renderOutputs, runAll, type RunResult } from '../../src/simulator/index.js';
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from '../helpers/chromium.js';
import { inspectReport, type Inspection } from './report-inspect.js';

const EXAMPLES = ['honest-prices', 'cheaters-offline', 'deposit-tradeoff'] as const;

describe('simulator: the report in a browser', function () {
  this.timeout(300_000);
  let browser: Browser;
  let dir: string;
  const results = new Map<string, RunResult[]>();
  const seen = new Map<string, Inspection>();

  before(async () => {
    requireChromium();
    dir = await mkdtemp(join(tmpdir(), 'uraiden-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    for (const name of EXAMPLES) {
      const { scenario, raw } = await loadScenario(`fixtures/scenarios/${name}.yaml`);
      results.set(name, await runAll(planRuns(raw, scenario), 2));
    }
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function look(name: string, runs: RunResult[]): Promise<Inspection> {
    const file = join(dir, `${name}.html`);
    await writeFile(file, (await renderOutputs(name, runs)).report);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(pathToFileURL(file).href);
      return await inspectReport(page);
    } finally {
      await page.close();
    }
  }

  it('the inspection catches what it looks for (a page made with every flaw)', async () => {
    const file = join(dir, 'flawed.html');
    await writeFile(
      file,
      `<!doctype html><body><table style="width:1600px"><tr><td>wide</td></tr></table>
<figure><svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><g class="mark-group role-frame root"><g>
<path class="background" d="M40,10h200v80h-200Z" fill="none" stroke="#ccc"/>
<text x="60" y="50" font-size="12">0.01</text><text x="64" y="52" font-size="12">0.01</text>
<text x="260" y="110" font-size="12">cut at the edge</text>
<g class="mark-group role-legend"><text x="150" y="70" font-size="12">legend</text></g>
</g></g></svg></figure><p class="zero">x: 0</p></body>`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(pathToFileURL(file).href);
      const found = await inspectReport(page);
      expect(found.pageWidth).to.be.greaterThan(1280);
      expect(found.overlaps.map((o) => [o.a.text, o.b.text])).to.deep.equal([['0.01', '0.01']]);
      expect(found.cut.map((c) => c.text.text)).to.deep.equal(['cut at the edge']);
      expect(found.inPlot).to.deep.equal([{ chart: 0, what: 'legend' }]);
      expect(found.zeroLines).to.deep.equal(['x: 0']);
    } finally {
      await page.close();
    }
  });

  for (const name of EXAMPLES) {
    it(`${name}: fits 1280 px, no overlapping or cut text, legends and titles outside the plots`, async () => {
      const found = await look(name, results.get(name)!);
      seen.set(name, found);
      expect(found.charts).to.be.greaterThan(4);
      expect(found.pageWidth).to.be.at.most(1280);
      expect(found.overlaps, JSON.stringify(found.overlaps.slice(0, 3))).to.deep.equal([]);
      expect(found.cut, JSON.stringify(found.cut.slice(0, 3))).to.deep.equal([]);
      expect(found.inPlot).to.deep.equal([]);
    });
  }

  it('says what each example needs said: offline windows, identical series, all-zero charts', async () => {
    const cheaters = seen.get('cheaters-offline')!;
    expect(cheaters.captions.filter((c) => c.includes('Grey: the receiver was offline, blocks 50–700 (run 1)'))).to.have.length(8);
    // Nobody cheats or goes offline in the other two: those charts are one line each.
    for (const name of ['honest-prices', 'deposit-tradeoff']) {
      const zero = seen.get(name)!.zeroLines;
      expect(zero).to.include('Lost to stale closes: 0 in every run (no chart).');
      expect(zero).to.include('Requests refused while the receiver was offline: 0 in every run, at every tick (no chart).');
    }
    // Same traffic in every cell of the deposit grid: the requests served coincide.
    expect(seen.get('deposit-tradeoff')!.captions).to.include('All 6 runs are identical here: one line.');
    const report = await readFile(join(dir, 'honest-prices.html'), 'utf8');
    // Gas of a few hundredths of an ETH is shown in ETH, with the digits it needs.
    expect(report).to.match(/<th>senders<br>gas<br><small>ETH<\/small><\/th>/);
    expect(report).to.include('<td>0.01893</td>');
  });

  it('a sweep of 14 points with long parameters: bars named P1…P14, parameters in the table, still nothing overlapping', async () => {
    const base = results.get('cheaters-offline')!;
    const runs = Array.from({ length: 14 }, (_, i): RunResult => {
      const r = structuredClone(base[i % 2]!);
      const params = {
        'receiver.offline': JSON.stringify([
          { from: 50 + i, to: 700 + i },
          { from: 900, to: 950 },
        ]),
        'senders.initialDeposit': 300 + i,
      };
      r.summary = { ...r.summary, run: i, params };
      r.rows = r.rows.map((row) => ({ ...row, run: i, ...params }));
      return r;
    });
    const found = await look('long-sweep', runs);
    expect(found.pageWidth).to.be.at.most(1280);
    expect(found.overlaps, JSON.stringify(found.overlaps.slice(0, 3))).to.deep.equal([]);
    expect(found.cut).to.deep.equal([]);
    const report = await readFile(join(dir, 'long-sweep.html'), 'utf8');
    expect(report).to.include('<th>P14</th><td class="l"><code>receiver.offline</code> = 63–713, 900–950<br><code>senders.initialDeposit</code> = 313</td>');
  });
});
