/**
 * One simulation run: a fresh deterministic chain, the reference receiver and proxy, N reference
 * clients with behaviours, advanced tick by tick in blocks. Returns the tidy rows (one per tick)
 * and the run's summary. Nothing in either depends on the wall clock.
 *
 * A tick: agents' chain phase (sequential) → mine to the tick's last block → the receiver goes
 * offline / comes back per the scenario, and polls (confirmed events, then disputes) → agents'
 * payment phase (concurrent, on `senderThreads` threads) → the ledger reads the tick's receipts →
 * one row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChain, type Chain } from '../sim/chain.js';
import { chainPhase, createAgents, makeDeposits, paymentPhase, type AgentContext } from './agents.js';
import { fundSenders } from './funding.js';
import { emptyBook, type Book } from './book.js';
import { createLedger } from './ledger.js';
import { startSenders } from './sender-threads.js';
import { startReceiverSide, type ReceiverSide } from './receiver-side.js';
import { createRng, shuffle } from './rng.js';
import { summarize, tickRow } from './metrics.js';
import type { Row, RunResult, RunSpec } from './types.js';
import type { Senders, SendersSetup } from './senders.js';

export interface SimulateOptions {
  /**
   * Worker threads for the senders' clients (0: this thread). Changes the wall time only, never
   * the results. Default: defaultSenderThreads(senders).
   */
  senderThreads?: number;
}

/**
 * Below a few hundred senders a thread costs more (its start, its own copy of ethers) than it
 * saves; above, one thread of clients beside this one (chain and receiver) uses both cores of a
 * 2-core machine (bench/sim.ts measures both).
 */
export const THREADS_FROM_SENDERS = 200;

export function defaultSenderThreads(senders: number): number {
  return senders >= THREADS_FROM_SENDERS ? 1 : 0;
}

/** Senders' token endowment: far above any scenario's deposits, so nobody runs dry by accident. */
const TOKENS_PER_SENDER = 10n ** 24n;

export async function simulate(spec: RunSpec, options: SimulateOptions = {}): Promise<RunResult> {
  const s = spec.scenario;
  // Temporary state (receiver SQLite, sender stores) in RAM where Linux offers it: the clients
  // fsync every proof they sign, and that is I/O the simulation is not about.
  const dir = await mkdtemp(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'uraiden-sim-')).catch(() => mkdtemp(join(tmpdir(), 'uraiden-sim-')));
  let chain: Chain | undefined;
  let senders: Senders | undefined;
  try {
    chain = await startChain({ seed: 'uraiden-sim', challengePeriod: s.chain.challengePeriod, senders: s.senders.count, tokensPerSender: 0n });
    // The clients are made (on their threads) while the chain mints the senders' tokens: their
    // first sync only reads, and finds no channel event either way.
    let receiverSide: ReceiverSide | undefined;
    const setup = await sendersSetup(chain, await chain.blockNumber(), dir, s.senders);
    const starting = startSenders({ chain, app: () => receiverSide!.app(), setup, threads: options.senderThreads ?? defaultSenderThreads(s.senders.count) });
    const [funded, started] = await Promise.allSettled([fundSenders(chain, TOKENS_PER_SENDER), starting]);
    if (started.status === 'fulfilled') senders = started.value;
    if (funded.status === 'rejected') throw funded.reason;
    if (started.status === 'rejected') throw started.reason;
    receiverSide = await startReceiverSide({
      chain,
      dir,
      confirmations: s.receiver.confirmations,
      disputes: s.receiver.disputes === 'always',
      startBlock: await chain.blockNumber(),
      resources: s.resources,
    });
    try {
      return await runOn(chain, spec, receiverSide, senders!);
    } finally {
      await receiverSide.close();
    }
  } finally {
    await senders?.close();
    await chain?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOn(chain: Chain, spec: RunSpec, receiverSide: ReceiverSide, senders: Senders): Promise<RunResult> {
  const s = spec.scenario;
  const startBlock = await chain.blockNumber();
  const book: Book = emptyBook(chain.accounts.receiver.address);
  const rng = createRng(spec.seed);
  const cheaterCount = Math.round(s.cheaters.fraction * s.senders.count);
  const cheaters = new Set(shuffle(rng, s.senders.count).slice(0, cheaterCount));
  const agents = createAgents(chain.accounts.senders, cheaters);
  const ctx: AgentContext = { chain, scenario: s, rng, book, receiver: chain.accounts.receiver.address, startBlock, senders };
  const ledger = createLedger(chain, book, startBlock + 1);
  const offlineAt = (block: number) => s.receiver.offline.some((w) => block >= w.from && block < w.to);

  const rows: Row[] = [];
  const balanceOf = async (address: string) => chain.token.balanceOf(address);
  let head = startBlock;
  for (let tick = 0; head - startBlock < s.horizon; tick++) {
    const needs = await chainPhase(ctx, agents, head - startBlock);
    await makeDeposits(ctx, needs);
    const tickEnd = startBlock + Math.min((tick + 1) * s.tick, s.horizon);
    head = await chain.blockNumber();
    if (head < tickEnd) head = await chain.mine(tickEnd - head);
    await receiverSide.setOnline(!offlineAt(head - startBlock));
    await receiverSide.sync();
    await paymentPhase(ctx, agents);
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
}

/**
 * What the senders' clients are made from: their keys, the contract as the chain knows it, their
 * policy, and the first block they scan for their events.
 */
export async function sendersSetup(
  chain: Chain,
  startBlock: number,
  storeDir: string,
  policy: { initialDeposit: bigint; topUp: bigint },
): Promise<SendersSetup> {
  return {
    senders: chain.accounts.senders.map((a, index) => ({ index, privateKey: a.privateKey })),
    contractInfo: {
      chainId: chain.chainId,
      contract: chain.addresses.channels,
      token: chain.addresses.token,
      challengePeriod: chain.challengePeriod,
      depositLimit: await chain.channels.channel_deposit_bugbounty_limit(),
    },
    receiver: chain.accounts.receiver.address,
    startBlock,
    storeDir,
    initialDeposit: policy.initialDeposit,
    topUp: policy.topUp,
  };
}
