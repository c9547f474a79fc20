/**
 * The whole catalogue against the reference proxy, spawned through the CLI (`--self`), twice:
 * every case passes, the reports are well-formed, and the two runs report the same apart from
 * timings (determinism).
 */
import { expect } from 'chai';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkXml, uraiden, type CliResult } from './helpers.js';

interface Report {
  results: { id: string; outcome: string; message?: string; durationMs: number }[];
  counts: Record<string, number>;
  failing: number;
  totalMs: number;
  startedAt: string;
}

/** The report without what legitimately changes between runs: timings. */
function timeless(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (key === 'durationMs' || key === 'totalMs' || key === 'startedAt' ? undefined : value));
}

async function runSelf(): Promise<{ r: CliResult; dir: string; json: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'conformance-'));
  // CI shares two cores with this whole test run: give the target's polling room (waits only;
  // every expectation is the same as at multiplier 1).
  const r = await uraiden(['conformance', '--self', '--time-multiplier', '3', '--report-dir', dir]);
  return { r, dir, json: await readFile(path.join(dir, 'conformance.json'), 'utf8') };
}

describe('the catalogue against the reference proxy', function () {
  this.timeout(900_000);
  let first: Awaited<ReturnType<typeof runSelf>>;

  before(async () => {
    first = await runSelf();
  });

  it('passes every case and exits 0', () => {
    const report = JSON.parse(first.json) as Report;
    const bad = report.results.filter((x) => x.outcome !== 'pass').map((x) => `${x.id} ${x.outcome}: ${x.message}`);
    expect(bad, first.r.stdout).to.deep.equal([]);
    expect(report.results.length).to.be.at.least(60);
    expect(first.r.code, first.r.stderr).to.equal(0);
    expect(first.r.stdout).to.match(/RESULT: conformant/);
    expect(first.r.stdout).to.match(/slowest cases\n(\s+\d+ ms\s+rdn\/\S+\n){5}/);
  });

  it('writes a JUnit XML that parses, with one testcase per case', async () => {
    const xml = await readFile(path.join(first.dir, 'conformance.junit.xml'), 'utf8');
    const names = checkXml(xml);
    const report = JSON.parse(first.json) as Report;
    expect(names[0]).to.equal('testsuites');
    expect(names.filter((n) => n === 'testcase').length).to.equal(report.results.length);
    expect(names).not.to.include('failure');
    expect(names).not.to.include('error');
  });

  it('writes one self-contained HTML page listing every case with its requirement and §', async () => {
    const html = await readFile(path.join(first.dir, 'conformance.html'), 'utf8');
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).not.to.match(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    expect(html).not.to.match(/href="(?!#)/);
    const report = JSON.parse(first.json) as Report;
    for (const c of report.results) expect(html).to.include(`id="${c.id}"`);
    expect(html).to.include('§1.4');
  });

  it('reports the same outcomes and the same report (apart from timings) on a second run', async () => {
    const second = await runSelf();
    expect(second.r.code, second.r.stdout).to.equal(0);
    expect(timeless(second.json)).to.deep.equal(timeless(first.json));
  });
});
