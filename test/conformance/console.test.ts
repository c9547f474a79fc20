/**
 * What `uraiden conformance` shows and how cases are picked: basics first, `--grep` on the
 * requirement, `--version`, each failure printed once with its file:line, colour on a terminal
 * only (NO_COLOR and FORCE_COLOR honoured) and never in a report file.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { colorFor } from '../../conformance/runner/console.js';
import { BASICS } from '../../conformance/runner/hints.js';
import { loadCases } from '../../conformance/runner/load.js';
import { AREA_ORDER, areaOf } from '../../conformance/runner/order.js';
import { BIN, conformanceRun, count, FIXTURES, ROOT, uraiden, type CliResult } from './helpers.js';

const PACKAGE_VERSION = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** No colour settings from whoever runs the tests. */
const PLAIN = { FORCE_COLOR: '', NO_COLOR: '' };
const ESC = '\x1b[';
const CATCH_ALL = `node ${path.join(FIXTURES, 'catch-all-target.mjs')}`;

function kase(id: string, requirement: string, level = 'MUST'): string {
  return `id: ${id}\nrequirement: ${requirement}\nspec: §3.2\nlevel: ${level}\nsteps:\n  - mine: 1\n`;
}

/** A catalogue of one's own: areas listed in AREA_ORDER, one that is not, ids 2 and 10. */
async function ownCatalogue(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cases-'));
  const files: Record<string, string[]> = {
    chain: [kase('rdn/chain/1', 'An outage of the chain is survived')],
    payment: [kase('rdn/payment/10', 'An UNDERPAYMENT is refused'), kase('rdn/payment/2', 'A payment is served'), kase('rdn/payment/1', 'A 402 comes first')],
    zeta: [kase('rdn/zeta/1', 'An area of my own, underpayment again', 'SHOULD')],
    rest: [kase('rdn/rest/1', 'The REST API answers')],
    fuzz: [kase('rdn/fuzz/1', 'Malformed requests are refused')],
    headers: [kase('rdn/headers/3', 'A header form is read')],
  };
  for (const [area, docs] of Object.entries(files)) await writeFile(path.join(dir, `${area}.yaml`), docs.join('---\n'));
  return dir;
}

const ids = (r: CliResult) =>
  r.stdout
    .trim()
    .split('\n')
    .slice(0, -1)
    .map((l) => l.split(/\s+/)[0]);

/** The CLI under a pseudo-terminal (util-linux `script`), so that stdout is a TTY. */
function underTty(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out)); // after the last of the output, unlike 'exit'
  });
}

describe('uraiden conformance: order, selection, version', function () {
  this.timeout(60_000);

  it('plays the basics first: areas in AREA_ORDER (an unlisted one at *), chain faults last, ids in numeric order', async () => {
    const r = await uraiden(['conformance', '--list', '--cases-dir', await ownCatalogue()], PLAIN);
    expect(r.code, r.stderr).to.equal(0);
    expect(ids(r)).to.deep.equal([
      'rdn/payment/1',
      'rdn/payment/2',
      'rdn/payment/10',
      'rdn/headers/3',
      'rdn/zeta/1',
      'rdn/rest/1',
      'rdn/fuzz/1',
      'rdn/chain/1',
    ]);
  });

  it('orders the shipped catalogue the same way, from rdn/payment/1 to the chain faults', async () => {
    const r = await uraiden(['conformance', '--list'], PLAIN);
    const listed = ids(r);
    expect(listed[0]).to.equal('rdn/payment/1');
    expect(areaOf(listed.at(-1) as string)).to.equal('chain');
    const rank = (id: string) => (AREA_ORDER as readonly string[]).indexOf(areaOf(id));
    for (let i = 1; i < listed.length; i++) expect(rank(listed[i] as string)).to.be.at.least(rank(listed[i - 1] as string), listed[i]);
  });

  it('names, in its hints, basic cases that exist and say what the hint says', async () => {
    const cases = new Map((await loadCases()).map((c) => [c.id, c.requirement]));
    const about: Record<string, RegExp> = {
      'rdn/payment/1': /402 payment request/,
      'rdn/headers/13': /base reply headers/,
      'rdn/payment/2': /payment of exactly the price is served/,
      'rdn/channel/1': /Insufficient-Confirmations/,
      'rdn/payment/4': /underpayment/i,
    };
    for (const b of BASICS) expect(cases.get(b.id), b.id).to.match(about[b.id] as RegExp);
  });

  it('--grep selects on the requirement (case-insensitive), together with --cases; a bad regex is a usage error', async () => {
    const dir = await ownCatalogue();
    const grep = await uraiden(['conformance', '--list', '--cases-dir', dir, '--grep', 'underpayment'], PLAIN);
    expect(ids(grep)).to.deep.equal(['rdn/payment/10', 'rdn/zeta/1']);
    const both = await uraiden(['conformance', '--list', '--cases-dir', dir, '--grep', 'underpayment', '--cases', 'rdn/payment/*'], PLAIN);
    expect(ids(both)).to.deep.equal(['rdn/payment/10']);
    const must = await uraiden(['conformance', '--list', '--cases-dir', dir, '--grep', '^an? ', '--must-only'], PLAIN);
    expect(ids(must)).to.deep.equal(['rdn/payment/1', 'rdn/payment/2', 'rdn/payment/10', 'rdn/headers/3', 'rdn/chain/1']);
    const bad = await uraiden(['conformance', '--list', '--grep', 'pay(ment'], PLAIN);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/^uraiden: --grep "pay\(ment": not a regular expression: /);
    const none = await uraiden(['conformance', '--self', '--cases-dir', dir, '--grep', 'nothing like this'], PLAIN);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/no case matches --grep nothing like this/);
  });

  it('--version prints the kit version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await uraiden(['conformance', flag], PLAIN);
      expect(r.code).to.equal(0);
      expect(r.stdout.trim()).to.equal(PACKAGE_VERSION);
    }
  });
});

describe('uraiden conformance: the console', function () {
  this.timeout(120_000);

  it('prints a failure once, in the summary, with the file:line of its step; the progress line names the place', async () => {
    const { r, reports } = await conformanceRun(['--target-cmd', CATCH_ALL, '--cases', 'rdn/payment/1'], PLAIN);
    expect(r.code).to.equal(1);
    const c = (await loadCases()).find((x) => x.id === 'rdn/payment/1');
    const where = `${c?.file}:${c?.stepLines[0]}`;
    expect(r.stdout).to.match(new RegExp(`\\[1/1\\] FAIL  rdn/payment/1 +\\d+ ms  ${where.replace(/\./g, '\\.')}\\n`));
    expect(count(r.stdout, 'status 200, expected 402')).to.equal(1);
    expect(r.stdout).to.match(
      new RegExp(
        `not passing \\(1\\)\\n  FAIL  rdn/payment/1  MUST §3\\.2  .*\\n        ${where.replace(/\./g, '\\.')}\\n        step 1 \\(request, line \\d+\\): status 200, expected 402`,
      ),
    );
    expect(r.stdout).not.to.include(ESC);
    // the version of the kit is in every report
    expect((JSON.parse(reports.json) as { kitVersion: string }).kitVersion).to.equal(PACKAGE_VERSION);
    expect(reports.junit).to.include(`<property name="uraiden-kit" value="${PACKAGE_VERSION}"/>`);
    expect(reports.html).to.include(`uraiden-kit ${PACKAGE_VERSION}`);
  });

  it('colours a terminal, not a pipe; NO_COLOR and FORCE_COLOR decide first; never a report file', async () => {
    expect(colorFor({ isTTY: true }, {})).to.equal(true);
    expect(colorFor({ isTTY: false }, {})).to.equal(false);
    expect(colorFor({}, {})).to.equal(false);
    expect(colorFor({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(colorFor({ isTTY: true }, { NO_COLOR: '' })).to.equal(true);
    expect(colorFor({ isTTY: true }, { TERM: 'dumb' })).to.equal(false);
    expect(colorFor({ isTTY: false }, { FORCE_COLOR: '1' })).to.equal(true);
    expect(colorFor({ isTTY: true }, { FORCE_COLOR: '0' })).to.equal(false);
    expect(colorFor({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).to.equal(true);

    const args = ['conformance', '--target-cmd', CATCH_ALL, '--cases', 'rdn/payment/1,rdn/payment/19'];
    const tty = await underTty([...args, '--report-dir', await mkdtemp(path.join(os.tmpdir(), 'tty-'))], PLAIN);
    expect(tty).to.include(`${ESC}31m`); // FAIL in red
    expect(tty).to.match(/RESULT: 1 case\(s\) failing/);
    const ttyNoColor = await underTty([...args, '--report-dir', await mkdtemp(path.join(os.tmpdir(), 'tty-'))], { ...PLAIN, NO_COLOR: '1' });
    expect(ttyNoColor).to.match(/RESULT: 1 case\(s\) failing/);
    expect(ttyNoColor).not.to.include(ESC);

    const forced = await conformanceRun(args.slice(1), { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(forced.r.stdout).to.include(`${ESC}31m`);
    const { reports } = forced;
    for (const text of Object.values(reports)) expect(text).not.to.include('\x1b');
  });
});
