/**
 * One simulation run: a fresh deterministic chain, the reference receiver and proxy, N reference
 * clients with behaviours, advanced tick by tick in blocks. Returns the tidy rows (one per tick)
 * and the run's summary. Nothing in either depends on the wall clock.
 *
 * A tick: agents' chain phase (sequential) → mine to the tick's last block → the receiver goes
 * offline / comes back per the scenario, and polls (confirmed events, then disputes) → agents'
 * payment phase (concurrent) → the ledger reads the tick's receipts → one row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChain, type Chain } from '../sim/chain.js';
import { chainPhase, createAgents, makeDeposits, paymentPhase, type AgentContext, type DepositNeed } from './agents.js';
import { fundSenders } from './funding.js';
import { emptyBook, type Book } from './book.js';
import { forEachLimited } from './concurrency.js';
import { injectFetch } from './inject-fetch.js';
import { createLedger } from './ledger.js';
import { startReceiverSide } from './receiver-side.js';
import { createRng, shuffle } from './rng.js';
import { summarize, tickRow } from './metrics.js';
import type { Row, RunResult, RunSpec } from './types.js';

/** Senders paying at the same time in the payment phase (the order of payments never matters). */
export const PAYMENT_CONCURRENCY = 32;

/** Senders' token endowment: far above any scenario's deposits, so nobody runs dry by accident. */
const TOKENS_PER_SENDER = 10n ** 24n;

export async function simulate(spec: RunSpec): Promise<RunResult> {
  const s = spec.scenario;
  // Temporary state (receiver SQLite, sender stores) in RAM where Linux offers it: the clients
  // fsync every proof they sign, and that is I/O the simulation is not about.
  const dir = await mkdtemp(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'uraiden-sim-')).catch(() => mkdtemp(join(tmpdir(), 'uraiden-sim-')));
  let chain: Chain | undefined;
  try {
    chain = await startChain({ seed: 'uraiden-sim', challengePeriod: s.chain.challengePeriod, senders: s.senders.count, tokensPerSender: 0n });
    await fundSenders(chain, TOKENS_PER_SENDER);
    return await runOn(chain, spec, dir);
  } finally {
    await chain?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOn(chain: Chain, spec: RunSpec, dir: string): Promise<RunResult> {
  const s = spec.scenario;
  const startBlock = await chain.blockNumber();
  const book: Book = emptyBook(chain.accounts.receiver.address);
  const rng = createRng(spec.seed);
  const receiverSide = await startReceiverSide({
    chain,
    dir,
    confirmations: s.receiver.confirmations,
    disputes: s.receiver.disputes === 'always',
    startBlock,
    resources: s.resources,
  });
  const ctx: AgentContext = { chain, scenario: s, rng, book, receiver: chain.accounts.receiver.address, startBlock };
  const cheaterCount = Math.round(s.cheaters.fraction * s.senders.count);
  const cheaters = new Set(shuffle(rng, s.senders.count).slice(0, cheaterCount));
  const fetchImpl = injectFetch(() => receiverSide.app());
  const agents = await createAgents(ctx, chain.accounts.senders, cheaters, (i) => join(dir, `sender-${i}.json`), fetchImpl);
  const ledger = createLedger(chain, book, startBlock + 1);
  const offlineAt = (block: number) => s.receiver.offline.some((w) => block >= w.from && block < w.to);

  const rows: Row[] = [];
  const balanceOf = async (address: string) => chain.token.balanceOf(address);
  try {
    let head = startBlock;
    for (let tick = 0; head - startBlock < s.horizon; tick++) {
      const block = head - startBlock;
      const needs: DepositNeed[] = [];
      for (const agent of agents) {
        const need = await chainPhase(ctx, agent, block);
        if (need) needs.push(need);
      }
      await makeDeposits(ctx, needs);
      const tickEnd = startBlock + Math.min((tick + 1) * s.tick, s.horizon);
      head = await chain.blockNumber();
      if (head < tickEnd) head = await chain.mine(tickEnd - head);
      await receiverSide.setOnline(!offlineAt(head - startBlock));
      await receiverSide.sync();
      await forEachLimited(agents, PAYMENT_CONCURRENCY, (a) => paymentPhase(ctx, a));
      head = await chain.blockNumber();
      await ledger.scan(head);
      const [locked, received] = await Promise.all([balanceOf(chain.addresses.channels), balanceOf(chain.accounts.receiver.address)]);
      rows.push(tickRow(spec, tick, head - startBlock, receiverSide.online, book, { locked, received }));
    }
    const senderBalances = await Promise.all(chain.accounts.senders.map((a) => balanceOf(a.address)));
    const [locked, received] = await Promise.all([balanceOf(chain.addresses.channels), balanceOf(chain.accounts.receiver.address)]);
    const senderLoss = senderBalances.reduce((sum, b) => sum + (TOKENS_PER_SENDER - b), 0n);
    return {
      rows,
      summary: summarize(spec, rows, book, {
        senderLoss,
        locked,
        received,
        cheaters: cheaterCount,
        pendingRequests: agents.reduce((n, a) => n + a.pending.length, 0),
      }),
    };
  } finally {
    for (const a of agents) a.client.close();
    await receiverSide.close();
  }
}
