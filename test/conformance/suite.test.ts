/**
 * The whole catalogue against the reference proxy, spawned through the CLI (`--self`), twice:
 * every case passes, the reports are well-formed, and the two runs report the same apart from
 * timings (determinism).
 */
import { expect } from 'chai';
import { checkXml, conformanceRun, differences, notAsKnown, referenceBugsFile, timeless } from './helpers.js';

interface Report {
  parts: Record<string, { present: boolean; why: string }>;
  hints: string[];
  results: { id: string; outcome: string; message?: string; expectedFailure?: string; exchanges?: unknown[]; durationMs: number }[];
  counts: Record<string, number>;
  failing: number;
  totalMs: number;
  startedAt: string;
}

async function runSelf() {
  // CI shares two cores with this whole test run: give the target's polling room (waits only;
  // every expectation is the same as at multiplier 1).
  const run = await conformanceRun(['--self', '--strict', '--time-multiplier', '3', '--expected-failures', await referenceBugsFile()]);
  return { ...run, report: JSON.parse(run.reports.json) as Report };
}

describe('the catalogue against the reference proxy', function () {
  this.timeout(900_000);
  let first: Awaited<ReturnType<typeof runSelf>>;

  before(async () => {
    first = await runSelf();
  });

  it('passes every case under --strict (but the known reference bugs, failing as known) and exits 0', () => {
    const { report, r } = first;
    expect(notAsKnown(report.results), r.stdout).to.deep.equal([]);
    expect(report.results.length).to.be.at.least(100);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/RESULT: conformant/);
    expect(r.stdout).to.match(/slowest cases\n(\s+\d+ ms\s+rdn\/\S+\n){5}/);
    // every optional part found, no hint needed
    expect(
      Object.values(report.parts).every((p) => p.present),
      JSON.stringify(report.parts),
    ).to.equal(true);
    expect(report.hints).to.deep.equal([]);
    // passing cases keep their exchanges: rdn/payment/2 its two payments
    const paid = report.results.find((x) => x.id === 'rdn/payment/2')?.exchanges as { response: { status: number } }[];
    expect(paid.map((x) => x.response.status)).to.deep.equal([200, 200]);
  });

  it('writes a JUnit XML that parses, with one testcase per case', () => {
    const names = checkXml(first.reports.junit);
    expect(names[0]).to.equal('testsuites');
    expect(names.filter((n) => n === 'testcase').length).to.equal(first.report.results.length);
    expect(names).not.to.include('failure');
    expect(names).not.to.include('error');
  });

  it('writes one self-contained HTML page listing every case with its requirement, §, and details', () => {
    const { html } = first.reports;
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    expect(html).not.to.match(/href="(?!#)/);
    for (const c of first.report.results) {
      expect(html).to.include(`id="${c.id}"`);
      expect(html).to.include(`<a href="#details-${c.id}">`);
      expect(html).to.include(`<details id="details-${c.id}"${c.outcome === 'pass' ? '>' : ' open>'}`);
    }
    expect(html).to.include('§1.4');
  });

  it('writes the same three reports (apart from timings) on a second run', async () => {
    const second = await runSelf();
    expect(second.r.code, second.r.stdout).to.equal(0);
    const [a, b] = [timeless(first.reports), timeless(second.reports)];
    expect(differences(a.json, b.json)).to.deep.equal([]);
    expect(b.json).to.deep.equal(a.json);
    expect(b.junit).to.equal(a.junit);
    expect(b.html).to.equal(a.html);
  });
});
