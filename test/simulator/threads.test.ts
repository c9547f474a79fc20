/**
 * The senders' clients on worker threads (sender-threads.ts) change the wall time only: the same
 * run with the clients in the main thread and on two threads gives byte-identical tables. The
 * scenario makes every kind of client work cross the threads: opens and top-ups noted, payments
 * (some deferred: the receiver wants more confirmations than a tick has), a cheater's stale close and its settle, honest closes, and
 * refusals while the receiver is offline.
 */
import { expect } from 'chai';
import { parseScenario, planRuns, simulate, specOf, toCsv } from '../../src/simulator/index.js';

const SCENARIO = `name: threads-test
seed: 4
horizon: 720
tick: 80
receiver: { confirmations: 100, offline: [{ from: 240, to: 400 }] }
resources:
  - { path: /a, price: 7, weight: 2 }
  - { path: /b, price: 20 }
senders:
  count: 7
  requestRate: 3
  initialDeposit: 40
  topUp: 30
  closeAt: 560
cheaters: { fraction: 0.3, closeProbability: 0.5, staleRequests: 2 }
`;

describe('simulator: sender threads', function () {
  this.timeout(240_000);

  it('gives byte-identical tables and summary with the clients in this thread or on two threads', async () => {
    const { scenario, raw } = parseScenario(SCENARIO, 'threads.yaml');
    const spec = specOf(planRuns(raw, scenario)[0]!);
    const here = await simulate(spec, { senderThreads: 0 });
    const threaded = await simulate(spec, { senderThreads: 2 });
    expect(toCsv(threaded.rows)).to.equal(toCsv(here.rows));
    expect(JSON.stringify(threaded.summary)).to.equal(JSON.stringify(here.summary));
    // The run did what the comment says, so the comparison covers it.
    const f = here.summary.final;
    expect(f.toppedUp as number).to.be.greaterThan(0);
    expect(f.deferred as number).to.be.greaterThan(0);
    expect(f.refusedOffline as number).to.be.greaterThan(0);
    expect(f.cheats as number).to.be.greaterThan(0);
    expect(f.settled as number).to.be.greaterThan(1);
    expect(here.summary.conservation.holds).to.equal(true);
  });
});
