/** The case format: every problem names its file, line and field; the catalogue itself is valid. */
import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CaseFormatError, loadCaseText, loadCases } from '../../conformance/runner/load.js';
import { CASES_DIR } from '../../conformance/runner/paths.js';
import { globToRegExp, selectCases } from '../../conformance/runner/select.js';

const HEAD = `id: rdn/payment/1
requirement: A payment of exactly the price is served
spec: §3.2
level: MUST
parties:
  alice: { role: sender }
`;

async function problems(text: string, file = 'payment.yaml') {
  return (await loadCaseText(text, file)).problems;
}

describe('conformance case format', () => {
  it('names file, line and field of an unknown field', async () => {
    const p = await problems(`${HEAD}steps:
  - open: { sender: alice, as: a1, deposit: 100 }
  - pay: { channel: a1, amonut: 5 }
`);
    expect(p).to.have.length(1);
    expect(p[0]).to.include({ file: 'payment.yaml', line: 9, field: 'steps[1].pay.amonut', message: 'unknown field' });
  });

  it('names a wrong type and a missing field', async () => {
    const p = await problems(`id: rdn/payment/2
requirement: short
spec: 3.2
level: MAY
steps:
  - open: { sender: alice, deposit: ten }
`);
    const byField = Object.fromEntries(p.map((x) => [x.field, x]));
    expect(byField.requirement?.line).to.equal(2);
    expect(byField.spec?.line).to.equal(3);
    expect(byField.level?.message).to.match(/MUST/);
    expect(byField['steps[0].open']?.message).to.match(/missing required field "as"/);
    expect(byField['steps[0].open.deposit']?.line).to.equal(6);
  });

  it('says a step needs exactly one action, once', async () => {
    const p = await problems(`${HEAD}steps:
  - expect: { status: 200 }
  - mine: 1
    reorg: 2
`);
    expect(p.map((x) => [x.line, x.field])).to.deep.equal([
      [8, 'steps[0]'],
      [9, 'steps[1]'],
    ]);
    expect(p[0]?.message).to.match(/exactly one action/);
  });

  it('checks names are defined before use and optional parts are declared', async () => {
    const p = await problems(`${HEAD}steps:
  - pay: { channel: a1 }
  - open: { sender: bob, as: a2, deposit: 1 }
  - request: { path: /api/1/stats }
  - pay: { channel: a2, reuse: p9 }
  - target: restart
`);
    const msgs = p.map((x) => `${x.line} ${x.field}: ${x.message}`);
    expect(msgs).to.include('8 steps[0].pay.channel: channel "a1" is not opened by an earlier step');
    expect(msgs).to.include('9 steps[1].open.sender: unknown party "bob"');
    expect(msgs.some((m) => /add "rest-api" to needs/.test(m))).to.equal(true);
    expect(msgs).to.include('11 steps[3].pay.reuse: proof "p9" is not labelled (as:) by an earlier pay step');
    expect(msgs.some((m) => m.startsWith('12 steps[4].target') && /restart/.test(m))).to.equal(true);
  });

  it('checks fuzz steps: a known channel, the REST API declared for REST streams, no expectations of their own', async () => {
    const p = await problems(`${HEAD}steps:
  - open: { sender: alice, as: a1, deposit: 100 }
  - fuzz: { channel: a2, stream: headers, count: 10, seed: 1 }
  - fuzz: { channel: a1, stream: rest-body, count: 10, seed: 1 }
  - fuzz: { channel: a1, stream: cookies, count: 10, seed: 1 }
    expect: { status: 402 }
`);
    const msgs = p.map((x) => `${x.line} ${x.field}: ${x.message}`);
    expect(msgs).to.include('9 steps[1].fuzz.channel: channel "a2" is not opened by an earlier step');
    expect(msgs.some((m) => /fuzz stream rest-body uses the REST API: add "rest-api" to needs/.test(m))).to.equal(true);
    expect(msgs.some((m) => m.startsWith('12 steps[3].expect') && /no expect, within or hold/.test(m))).to.equal(true);
    const schema = await problems(`${HEAD}steps:
  - open: { sender: alice, as: a1, deposit: 100 }
  - fuzz: { channel: a1, stream: paths, count: 0, seed: -1 }
`);
    expect(schema.map((x) => x.field).sort()).to.deep.equal(['steps[1].fuzz.count', 'steps[1].fuzz.seed', 'steps[1].fuzz.stream']);
  });

  it('checks the id area against the file name and reports YAML syntax errors with their line', async () => {
    expect((await problems(`${HEAD}steps:\n  - mine: 1\n`, 'close.yaml'))[0]).to.include({ field: 'id', line: 1 });
    const p = await problems(`${HEAD}steps:\n  - mine: [1\n`);
    expect(p[0]?.message).to.match(/^YAML/);
    expect(p[0]?.line).to.be.greaterThan(7);
  });

  it('collects the problems of every file of a directory in one CaseFormatError', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cases-'));
    await writeFile(path.join(dir, 'payment.yaml'), `${HEAD}steps:\n  - mine: -1\n`);
    await writeFile(path.join(dir, 'close.yaml'), `${HEAD.replace('payment', 'close')}steps:\n  - settle: { channel: zz }\n`);
    const err = await loadCases(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(CaseFormatError);
    const text = (err as CaseFormatError).message;
    expect(text).to.match(/payment\.yaml:8:\d+: steps\[0\]\.mine/);
    expect(text).to.match(/close\.yaml:8:\d+: steps\[0\]\.settle\.channel: channel "zz"/);
  });

  it('loads the catalogue: at least 60 cases, every area, unique ids citing a §', async () => {
    const cases = await loadCases();
    expect(cases.length).to.be.at.least(60);
    expect(new Set(cases.map((c) => c.id)).size).to.equal(cases.length);
    const areas = new Set(cases.map((c) => c.id.split('/')[1]));
    for (const a of ['signature', 'headers', 'payment', 'proof', 'channel', 'chain', 'close', 'restart', 'rest', 'paywall', 'cookie', 'fuzz'])
      expect(areas).to.include(a);
    for (const c of cases) expect(c.spec).to.match(/^§[1-6]/);
    for (const s of ['§1.4', '§3.1', '§3.2', '§4', '§5'])
      expect(
        cases.some((c) => c.spec === s),
        s,
      ).to.equal(true);
  });

  it('names only existing cases in conformance/faults.json (the self-test map)', async () => {
    const ids = new Set((await loadCases()).map((c) => c.id));
    const map = JSON.parse(await readFile(path.resolve(CASES_DIR, '../faults.json'), 'utf8')) as Record<string, { catches?: string[] }>;
    for (const [fault, entry] of Object.entries(map)) {
      if (fault.startsWith('$')) continue;
      expect(entry.catches?.length, fault).to.be.greaterThan(0);
      for (const id of entry.catches ?? []) expect(ids.has(id), `${fault}: ${id}`).to.equal(true);
    }
  });

  it('selects by glob and level', async () => {
    const cases = await loadCases();
    expect(globToRegExp('rdn/payment/*').test('rdn/payment/12')).to.equal(true);
    expect(globToRegExp('rdn/payment/*').test('rdn/paywall/1')).to.equal(false);
    expect(selectCases(cases, ['rdn/payment'], ['MUST', 'SHOULD']).every((c) => c.id.startsWith('rdn/payment/'))).to.equal(true);
    expect(selectCases(cases, [], ['MUST']).every((c) => c.level === 'MUST')).to.equal(true);
    const areas = new Set(cases.map((c) => c.id.split('/')[1]));
    expect(areas.size).to.be.at.least(12);
    expect(selectCases(cases, ['rdn/*/1'], ['MUST', 'SHOULD']).length).to.equal(areas.size); // one per area file
  });
});
