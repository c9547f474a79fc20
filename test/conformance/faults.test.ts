/**
 * The suite can fail: the reference proxy started with one deliberate protocol violation at a time
 * (URAIDEN_FAULT, src/reference/faults.ts) must be caught by the case conformance/faults.json names
 * first for it. Without the fault the same cases pass (suite.test.ts runs the whole catalogue).
 */
import { expect } from 'chai';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FAULTS, type Fault } from '../../src/reference/faults.js';
import { ROOT, uraiden } from './helpers.js';

interface Report {
  results: { id: string; outcome: string; message?: string }[];
}

const catalogue = JSON.parse(await readFile(path.join(ROOT, 'conformance/faults.json'), 'utf8')) as Record<string, { catches?: string[] }>;

describe('the suite catches a broken proxy (self-test, one fault at a time)', function () {
  this.timeout(300_000);

  it('names a catching case for every fault switch of the reference receiver', () => {
    for (const fault of Object.keys(FAULTS)) {
      expect(catalogue[fault]?.catches?.length ?? 0, fault).to.be.greaterThan(0);
    }
  });

  for (const fault of Object.keys(FAULTS) as Fault[]) {
    const id = catalogue[fault]?.catches?.[0];
    it(`${fault}: ${FAULTS[fault]} — caught by ${id}`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), `fault-${fault}-`));
      // --strict: a broken SHOULD (the cookies of §3.1) fails too, instead of warning.
      const r = await uraiden(['conformance', '--self', '--strict', '--cases', id!, '--target-env', `URAIDEN_FAULT=${fault}`, '--report-dir', dir]);
      const report = JSON.parse(await readFile(path.join(dir, 'conformance.json'), 'utf8')) as Report;
      const result = report.results.find((x) => x.id === id);
      expect(result, r.stdout + r.stderr).to.not.equal(undefined);
      expect(result!.outcome, `${id} with ${fault}: ${result!.message ?? ''}`).to.equal('fail');
      expect(r.code, r.stderr).to.equal(1);
    });
  }
});
