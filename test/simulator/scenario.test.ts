/** Scenario validation: every refusal names the field, what was expected, and (from YAML) the line. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseScenario, planRuns, ScenarioError } from '../../src/simulator/index.js';

const BIN = fileURLToPath(new URL('../../bin/uraiden.js', import.meta.url));

const VALID = `name: ok
horizon: 100
resources:
  - { path: /a, price: 5 }
senders:
  count: 2
  initialDeposit: 50
  topUp: 50
`;

function refusal(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (err) {
    expect(err).to.be.instanceOf(ScenarioError);
    return err as ScenarioError;
  }
  expect.fail('the scenario was accepted');
}

describe('sim/economics: scenario files', () => {
  it('accepts a minimal scenario and fills the defaults', () => {
    const { scenario } = parseScenario(VALID, 'test.yaml');
    expect(scenario.tick).to.equal(10);
    expect(scenario.chain.challengePeriod).to.equal(500);
    expect(scenario.receiver).to.deep.equal({ confirmations: 2, offline: [], disputes: 'always' });
    expect(scenario.resources[0]).to.deep.equal({ path: '/a', price: 5n, weight: 1 });
    expect(scenario.seeds).to.deep.equal([1]);
  });

  it('refuses an unknown field, naming it with its line', () => {
    const e = refusal(VALID.replace('  topUp: 50\n', '  topUp: 50\n  topup: 40\n'));
    expect(e.field).to.equal('senders.topup');
    expect(e.line).to.equal(9);
    expect(e.message).to.match(/^test\.yaml:9:3: senders\.topup: .*unknown field/);
  });

  it('refuses a value of the wrong type, saying what was expected', () => {
    const e = refusal(VALID.replace('count: 2', 'count: two'));
    expect(e.field).to.equal('senders.count');
    expect(e.value).to.equal('two');
    expect(e.line).to.equal(6);
    expect(e.message).to.include('expected a number of senders');
  });

  it('refuses a missing required field, naming it', () => {
    const e = refusal(VALID.replace('  initialDeposit: 50\n', ''));
    expect(e.field).to.equal('senders.initialDeposit');
    expect(e.message).to.include('(missing)');
  });

  it('refuses out-of-range values: challenge period, a probability, an empty window', () => {
    expect(refusal(`${VALID}chain: { challengePeriod: 10 }\n`).field).to.equal('chain.challengePeriod');
    expect(refusal(`${VALID}cheaters: { fraction: 1.5 }\n`).field).to.equal('cheaters.fraction');
    const w = refusal(`${VALID}receiver: { offline: [{ from: 20, to: 20 }] }\n`);
    expect(w.field).to.equal('receiver.offline.0.to');
    expect(w.line).to.equal(9);
  });

  it('reports YAML syntax errors with the line', () => {
    const e = refusal('name: x\nhorizon: [1,\n');
    expect(e.field).to.equal('');
    expect(e.line).to.be.a('number');
    expect(e.message).to.match(/^test\.yaml:\d+:\d+: .*valid YAML/);
  });

  it('checks sweep paths and each swept value where it lands', () => {
    const badPath = refusal(`${VALID}sweep:\n  senders.colour: [1, 2]\n`);
    expect(badPath.field).to.equal('sweep.senders.colour');
    expect(badPath.line).to.equal(10);
    const badValue = refusal(`${VALID}sweep:\n  senders.count: [2, -1]\n`);
    expect(badValue.field).to.equal('sweep.senders.count.1');
    expect(badValue.value).to.equal(-1);
  });

  it('plans a grid × seeds, last path fastest', () => {
    const { scenario, raw } = parseScenario(`${VALID}seeds: [1, 2]\nsweep:\n  senders.initialDeposit: [10, 20]\n  senders.topUp: [5, 6]\n`);
    const runs = planRuns(raw, scenario);
    expect(runs.map((r) => [r.params['senders.initialDeposit'], r.params['senders.topUp'], r.seed])).to.deep.equal([
      [10, 5, 1],
      [10, 5, 2],
      [10, 6, 1],
      [10, 6, 2],
      [20, 5, 1],
      [20, 5, 2],
      [20, 6, 1],
      [20, 6, 2],
    ]);
    expect(runs.map((r) => r.run)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('`uraiden simulate` refuses a bad file with one line naming file, line and field (exit 1)', async function () {
    this.timeout(30_000);
    const dir = await mkdtemp(join(tmpdir(), 'uraiden-sim-cli-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, VALID.replace('count: 2', 'count: 0'));
      const run = promisify(execFile)(process.execPath, [BIN, 'simulate', file, '--out', join(dir, 'out')]);
      const err = (await run.then(
        () => expect.fail('accepted'),
        (e: unknown) => e,
      )) as { code: number; stderr: string };
      expect(err.code).to.equal(1);
      expect(err.stderr.trim()).to.match(
        new RegExp(`^uraiden: ${file.replace(/[.\\/]/g, '\\$&')}:6:\\d+: senders\\.count: 0 is invalid: expected a number of senders`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
