/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): it fits a
 * 1280 px window, each case id links to that case's details, a failing case's details are open
 * and a passing one's collapsed but still holding its exchanges.
 */
import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from '../helpers/chromium.js';
import { conformanceRun, FIXTURES } from './helpers.js';

describe('the HTML report in a browser', function () {
  this.timeout(180_000);
  let browser: BrowserContext;
  let report: string;
  /** where the screenshot goes (kept, to look at) */
  let shots: string;

  before(async () => {
    requireChromium();
    // the reference proxy behind a front that ignores a malformed RDN-Balance: rdn/fuzz/1 fails
    // with a long message full of hex, the others pass with their exchanges
    const { r, dir } = await conformanceRun(
      [
        '--target-cmd',
        `node ${path.join(FIXTURES, 'front.mjs')}`,
        '--cases',
        'rdn/payment/1,rdn/payment/2,rdn/payment/15,rdn/headers/14,rdn/fuzz/1,rdn/rest/2',
      ],
      { FRONT_FAULT: 'lenient-balance' },
    );
    expect(r.code, r.stdout).to.equal(1);
    report = path.join(dir, 'conformance.html');
    shots = await mkdtemp(path.join(os.tmpdir(), 'html-shots-'));
    browser = await chromium.launchPersistentContext(await mkdtemp(path.join(os.tmpdir(), 'chromium-')), {
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('fits 1280 px: no horizontal scrolling, the table and every block inside the window', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(report).href);
    // (scripts as text: this file is type-checked without the DOM library)
    const sizes = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      table: document.querySelector('table').getBoundingClientRect().right,
      widest: Math.max(...[...document.querySelectorAll('pre, td, summary')].map((e) => e.getBoundingClientRect().right)),
      overflowing: [...document.querySelectorAll('pre')].filter((p) => p.scrollWidth > p.clientWidth).length,
    })`)) as { page: number; table: number; widest: number; overflowing: number };
    expect(sizes.page).to.be.at.most(1280);
    expect(sizes.table).to.be.at.most(1280);
    expect(sizes.widest).to.be.at.most(1280);
    expect(sizes.overflowing).to.equal(0);
    await page.screenshot({ path: path.join(shots, 'report-1280.png'), fullPage: false });
    await page.close();
  });

  it('links each id to its details: open when failing, collapsed but complete when passing', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(report).href);
    const rows = (await page.evaluate(`[...document.querySelectorAll('tbody tr')].map((tr) => {
      const a = tr.querySelector('a');
      const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      return {
        id: tr.id,
        outcome: tr.querySelector('td:nth-child(4)').textContent,
        href: a.getAttribute('href'),
        target: target && target.tagName,
        open: target && target.open,
        exchanges: Boolean(target && target.textContent.includes('HTTP exchanges')),
      };
    })`)) as { id: string; outcome: string; href: string; target: string | null; open: boolean; exchanges: boolean }[];
    expect(rows.map((r) => r.id)).to.deep.equal(['rdn/payment/1', 'rdn/payment/2', 'rdn/payment/15', 'rdn/headers/14', 'rdn/rest/2', 'rdn/fuzz/1']);
    for (const r of rows) {
      expect(r.href).to.equal(`#details-${r.id}`);
      expect(r.target, r.id).to.equal('DETAILS');
      expect(r.exchanges, r.id).to.equal(true);
      expect(r.open, r.id).to.equal(r.outcome !== 'pass');
    }
    expect(rows.find((r) => r.id === 'rdn/fuzz/1')?.outcome).to.equal('fail');
    // following a link brings that case's details into view
    await page.click('a[href="#details-rdn/payment/15"]');
    const seen = (await page.evaluate(`(() => {
      const box = document.getElementById('details-rdn/payment/15').getBoundingClientRect();
      return { hash: decodeURIComponent(location.hash), top: box.top, inView: box.top > -2 && box.top < window.innerHeight };
    })()`)) as { hash: string; top: number; inView: boolean };
    expect(seen.hash).to.equal('#details-rdn/payment/15');
    expect(seen.inView, JSON.stringify(seen)).to.equal(true);
    await page.screenshot({ path: path.join(shots, 'details-1280.png'), fullPage: false });
    await page.close();
  });
});
