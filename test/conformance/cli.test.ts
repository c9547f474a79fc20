/** `uraiden conformance` as a user runs it: --list, malformed cases, a broken target. */
import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkXml, FIXTURES, uraiden } from './helpers.js';

describe('uraiden conformance (CLI)', function () {
  this.timeout(180_000);

  it('--list prints the selected cases without running anything', async () => {
    const r = await uraiden(['conformance', '--list', '--cases', 'rdn/signature/*']);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal('10 case(s)');
    expect(lines[0]).to.match(/^rdn\/signature\/1\s+§1\.4\s+MUST\s+A balance proof with v = 0\/1/);
    const all = await uraiden(['conformance', '--list']);
    expect(Number(/(\d+) case\(s\)/.exec(all.stdout)?.[1])).to.be.at.least(60);
    const must = await uraiden(['conformance', '--list', '--must-only']);
    expect(must.stdout).not.to.match(/ SHOULD /);
  });

  it('refuses malformed cases with file:line: field, exit code 2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cases-'));
    await writeFile(
      path.join(dir, 'payment.yaml'),
      'id: rdn/payment/1\nrequirement: A payment is served, with 200\nspec: §3.2\nlevel: MUST\nsteps:\n  - mine: confirmations\n',
    );
    const r = await uraiden(['conformance', '--list', '--cases-dir', dir]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/payment\.yaml:6:\d+: steps\[0\]\.mine: /);
  });

  it('refuses contradictory target options with exit code 2', async () => {
    const r = await uraiden(['conformance', '--self', '--target', 'http://127.0.0.1:1', '--rpc-url', 'http://127.0.0.1:2']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/exactly one of/);
  });

  it('goes on past a target that garbles, resets and hangs; errors name the reason; reports are written', async () => {
    const reports = await mkdtemp(path.join(os.tmpdir(), 'reports-'));
    const known = path.join(reports, 'known.json');
    await writeFile(known, JSON.stringify({ 'rdn/paywall/1': 'resets the connection' }));
    const r = await uraiden([
      'conformance',
      '--target-cmd',
      `node ${path.join(FIXTURES, 'bad-target.mjs')}`,
      '--cases',
      'rdn/headers/13,rdn/chain/2,rdn/paywall/1,rdn/paywall/3,rdn/payment/13,rdn/rest/1',
      '--case-timeout',
      '4000',
      '--report-dir',
      reports,
      '--expected-failures',
      known,
    ]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    const json = JSON.parse(await readFile(path.join(reports, 'conformance.json'), 'utf8')) as {
      results: { id: string; outcome: string; message?: string; expectedFailure?: string }[];
    };
    const by = Object.fromEntries(json.results.map((x) => [x.id, x]));
    expect(by['rdn/headers/13']).to.include({ outcome: 'error' });
    expect(by['rdn/headers/13']?.message).to.match(/not a valid HTTP answer|parse|HPE/i);
    expect(by['rdn/paywall/1']).to.include({ outcome: 'error', expectedFailure: 'resets the connection' });
    expect(by['rdn/paywall/1']?.message).to.match(/reset|socket hang up/i);
    expect(by['rdn/payment/13']).to.include({ outcome: 'error' });
    expect(by['rdn/payment/13']?.message).to.match(/timed out|no complete answer/);
    expect(by['rdn/rest/1']).to.include({ outcome: 'unimplemented' });
    // a SHOULD case that is not met: warn, which alone would not fail the run
    expect(by['rdn/chain/2']).to.include({ outcome: 'warn' });
    expect(by['rdn/paywall/3']?.outcome).to.be.oneOf(['pass', 'fail']);
    expect(r.stdout).to.match(/slowest cases/);
    checkXml(await readFile(path.join(reports, 'conformance.junit.xml'), 'utf8'));
  });

  it('--strict turns a SHOULD warning into a failure', async () => {
    const reports = await mkdtemp(path.join(os.tmpdir(), 'reports-'));
    const args = ['conformance', '--target-cmd', `node ${path.join(FIXTURES, 'bad-target.mjs')}`, '--cases', 'rdn/chain/2', '--report-dir', reports];
    const lenient = await uraiden(args);
    expect(lenient.code, lenient.stdout).to.equal(0);
    expect(lenient.stdout).to.match(/warn\s+rdn\/chain\/2/);
    const strict = await uraiden([...args, '--strict']);
    expect(strict.code, strict.stdout).to.equal(1);
    expect(strict.stdout).to.match(/FAIL\s+rdn\/chain\/2/);
  });

  it('--bail stops at the first failing case: the rest are not run, and the reports say so', async () => {
    const reports = await mkdtemp(path.join(os.tmpdir(), 'reports-'));
    const selected = ['rdn/chain/2', 'rdn/headers/13', 'rdn/paywall/1', 'rdn/rest/1'];
    const r = await uraiden([
      'conformance',
      '--target-cmd',
      `node ${path.join(FIXTURES, 'bad-target.mjs')}`,
      '--cases',
      selected.join(','),
      '--case-timeout',
      '4000',
      '--report-dir',
      reports,
      '--bail',
    ]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    const json = JSON.parse(await readFile(path.join(reports, 'conformance.json'), 'utf8')) as {
      results: { id: string; outcome: string }[];
      stoppedAfter?: string;
      notRun?: number;
    };
    const last = json.results.at(-1)!;
    expect(last.outcome).to.be.oneOf(['fail', 'error']);
    // everything before the stop ran and did not fail the run (a warn does not, without --strict)
    for (const x of json.results.slice(0, -1)) expect(x.outcome, x.id).to.be.oneOf(['pass', 'warn', 'unimplemented']);
    expect(json.results.length).to.be.below(selected.length);
    expect(json).to.include({ stoppedAfter: last.id, notRun: selected.length - json.results.length });
    expect(r.stdout).to.include(`stopped after ${last.id}: --bail; ${selected.length - json.results.length} case(s) not run`);
    expect(await readFile(path.join(reports, 'conformance.html'), 'utf8')).to.include(`stopped after ${last.id}`);
  });
});
