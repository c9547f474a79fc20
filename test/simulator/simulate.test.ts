/**
 * The simulator end to end, on the real chain, contract, proxy and clients: two small runs (one
 * worker process each) that differ only in the receiver's availability, and a repeat of the first
 * in this process for determinism.
 *
 * Timeline (80-block ticks, challenge period 500): channels open and are paid in tick 0; the
 * cheater closes claiming 0 at about block 81 (settle block ≈ 581) and settles at the first tick
 * after it (block 640). Online, the receiver sees the close confirmed at block 160 and disputes.
 * Offline from 100 to 700, it is still down when the cheater settles.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, planRuns, renderOutputs, runAll, simulate, specOf, toCsv, writeOutputs, type RunResult } from '../../src/simulator/index.js';

const SCENARIO = `name: test-cheat
seed: 5
horizon: 720
tick: 80
receiver: { confirmations: 1 }
resources:
  - { path: /a, price: 10 }
senders:
  count: 3
  requestRate: 2
  arrival: fixed
  initialDeposit: 100
  topUp: 100
cheaters: { fraction: 0.34, closeProbability: 1 }
sweep:
  receiver.offline: [[], [{ from: 100, to: 700 }]]
`;

describe('sim/economics: simulate (real chain, proxy and clients)', function () {
  this.timeout(120_000);
  const { scenario, raw } = parseScenario(SCENARIO, 'test.yaml');
  const tickets = planRuns(raw, scenario);
  let online: RunResult;
  let offline: RunResult;

  before(async () => {
    [online, offline] = (await runAll(tickets, 2)) as [RunResult, RunResult];
  });

  it('conserves tokens in every run: what senders lost = what the receiver gained + what the contract holds', () => {
    for (const r of [online, offline]) {
      const c = r.summary.conservation;
      expect(BigInt(c.senderLoss)).to.equal(BigInt(c.receiverGain) + BigInt(c.contractHeld));
      expect(c.holds).to.equal(true);
      expect(BigInt(c.senderLoss) > 0n).to.equal(true);
    }
  });

  it('an online receiver disputes the stale close and gets the full paid balance', () => {
    const s = online.summary;
    expect(s.cheaters).to.equal(1);
    expect(s.cheatCases).to.have.length(1);
    const [cheat] = s.cheatCases;
    expect(cheat!.claimed).to.equal('0');
    expect(BigInt(cheat!.paid) > 0n).to.equal(true);
    expect(cheat!.outcome).to.equal('won');
    expect(s.final).to.include({ disputesRaised: 1, disputesWon: 1, disputesMissed: 0, lostToCheats: '0' });
    // The only channel settled is the cheater's, at the balance it really paid.
    expect(s.final.received).to.equal(cheat!.paid);
    expect(BigInt(s.final.gasReceiverWei as string) > 0n).to.equal(true);
  });

  it('a receiver offline for longer than the challenge period loses exactly the disputed difference', () => {
    const s = offline.summary;
    const [cheat] = s.cheatCases;
    expect(cheat!.outcome).to.equal('missed');
    expect(s.final).to.include({ disputesRaised: 0, disputesWon: 0, disputesMissed: 1 });
    expect(BigInt(s.final.lostToCheats as string)).to.equal(BigInt(cheat!.paid) - BigInt(cheat!.claimed));
    expect(s.final.received).to.equal(cheat!.claimed);
    expect(s.final.gasReceiverWei).to.equal('0');
    expect(s.final.refusedOffline as number).to.be.greaterThan(0);
  });

  it('a receiver that is online but never disputes (receiver.disputes: never) loses the same difference', async () => {
    const text = SCENARIO.replace('receiver: { confirmations: 1 }', 'receiver: { confirmations: 1, disputes: never }').replace(/sweep:[\s\S]*$/, '');
    const parsed = parseScenario(text, 'never.yaml');
    const [run] = (await runAll(planRuns(parsed.raw, parsed.scenario), 1)) as [RunResult];
    const [cheat] = run.summary.cheatCases;
    expect(cheat!.outcome).to.equal('missed');
    expect(run.summary.final).to.include({ online: 1, disputesRaised: 0, disputesMissed: 1 });
    expect(BigInt(run.summary.final.lostToCheats as string)).to.equal(BigInt(cheat!.paid) - BigInt(cheat!.claimed));
  });

  it('gives byte-identical tables for the same scenario and seed (worker process vs this one)', async () => {
    const again = await simulate(specOf(tickets[0]!));
    expect(toCsv(again.rows)).to.equal(toCsv(online.rows));
    expect(JSON.stringify(again.rows)).to.equal(JSON.stringify(online.rows));
    expect(JSON.stringify(again.summary)).to.equal(JSON.stringify(online.summary));
  });

  it('writes the table, the summaries and a self-contained report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uraiden-sim-out-'));
    try {
      const files = await writeOutputs(dir, scenario.name, [online, offline]);
      expect(await readFile(join(dir, 'ticks.csv'), 'utf8')).to.equal(files.ticksCsv);
      const header = files.ticksCsv.split('\n')[0]!;
      expect(header.startsWith('run,seed,receiver.offline,tick,block,online,earned,received,locked')).to.equal(true);
      expect(files.ticksCsv.trim().split('\n')).to.have.length(1 + online.rows.length + offline.rows.length);
      expect(JSON.parse(files.ticksJson)).to.have.length(online.rows.length + offline.rows.length);
      expect(files.report).to.include('<svg');
      // Self-contained: nothing fetched, nothing run (the embedded Vega-Lite specs are data).
      expect(files.report).not.to.match(/<link|src=|href=|@import|url\((?!#)/);
      expect(files.report.match(/<script[^>]*>/g)!.every((tag) => tag === '<script type="application/json" class="vega-lite">')).to.equal(true);
      expect(await renderOutputs(scenario.name, [online, offline])).to.deep.equal(files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
