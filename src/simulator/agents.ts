/**
 * The senders as agents: each decides, tick by tick, what its reference client does (senders.ts
 * holds the clients). Each tick has three steps for them:
 *
 * - chain phase (agents one after the other, by index): draw this tick's requests, then what the
 *   agent does on chain — a cheater's stale close, a settle due or an honest close, through its
 *   client; or the open / top-ups that make its channel cover the tick's demand, which it only
 *   *asks* for (DepositNeed). Sequential because the chain instamines: the order of transactions
 *   fixes every open block, and so the whole table.
 * - deposits: every agent's open, then every top-up, sent as two batches (batch.ts) — the same
 *   ERC223 transfers the client would send, in a few blocks instead of one block each.
 * - payment phase: every agent's pending requests go through its client's `fetch` and the real
 *   proxy (Senders.pay, senders side by side, possibly on several threads); the outcomes are
 *   entered in the books in agent order. Payments touch no chain state, so paying side by side
 *   changes nothing but the wall time.
 *
 * A request that must wait — the deposit it needs is not confirmed yet, or the receiver has not
 * seen the channel — is deferred to the next tick instead of mining blocks inside the request:
 * the client's retry hook throws (senders.ts, DeferredRequest).
 */
import { encodeOpenData, encodeTopUpData } from '../protocol/index.js';
import type { Account, Chain } from '../sim/chain.js';
import { sendBatch, type BatchTx } from './batch.js';
import { openRecord } from './ledger.js';
import type { Book } from './book.js';
import { poisson, weighted, type Rng } from './rng.js';
import type { Scenario } from './scenario.js';
import type { PaymentWork, Senders } from './senders.js';
import type { StoredChannel } from '../reference/sender/index.js';

export interface Agent {
  index: number;
  account: Account;
  cheater: boolean;
  /** resource indices requested and not yet served or refused, oldest first */
  pending: number[];
  requested: number;
  phase: 'active' | 'closing' | 'done';
  /** open block of the channel in use */
  openBlock?: number;
  /** balance after each payment served on that channel */
  history: bigint[];
  settleBlock?: number;
}

export interface AgentContext {
  chain: Chain;
  scenario: Scenario;
  rng: Rng;
  book: Book;
  receiver: string;
  /** first block of the simulation: scenario blocks count from here */
  startBlock: number;
  senders: Senders;
}

export function createAgents(accounts: Account[], cheaters: Set<number>): Agent[] {
  return accounts.map((account, index) => ({ index, account, cheater: cheaters.has(index), pending: [], requested: 0, phase: 'active', history: [] }));
}

/** What an agent needs deposited before its tick's payments: an open, then top-ups. */
export interface DepositNeed {
  agent: Agent;
  /** deposit of a new channel, if it has none */
  open?: bigint;
  topUps: number;
}

/**
 * The chain phase of every agent, in index order, at simulation block `block` (relative to the
 * start); returns the deposits they need. The clients' channels are read first, in one call: no
 * agent's action this phase changes another's client, and an agent that closes needs no deposit.
 */
export async function chainPhase(ctx: AgentContext, agents: Agent[], block: number): Promise<DepositNeed[]> {
  const withChannel = agents.filter((a) => a.phase === 'active' && a.openBlock !== undefined);
  const read = await ctx.senders.channels(withChannel.map((a) => ({ index: a.index, receiver: ctx.receiver, openBlock: a.openBlock! })));
  const channels = new Map(withChannel.map((a, i) => [a.index, read[i]]));
  const needs: DepositNeed[] = [];
  for (const agent of agents) {
    const need = await agentChainPhase(ctx, agent, block, channels.get(agent.index));
    if (need) needs.push(need);
  }
  return needs;
}

async function agentChainPhase(ctx: AgentContext, agent: Agent, block: number, channel: StoredChannel | undefined): Promise<DepositNeed | undefined> {
  const { scenario: s, rng } = ctx;
  if (agent.phase === 'done') return;
  if (agent.phase === 'closing') {
    await settleIfDue(ctx, agent);
    return;
  }

  // Draws first, always in the same order, so one agent's fate never shifts another's stream.
  const wanted = s.senders.arrival === 'fixed' ? Math.round(s.senders.requestRate) : poisson(rng, s.senders.requestRate);
  const allowed = s.senders.maxRequests > 0 ? Math.max(0, s.senders.maxRequests - agent.requested) : wanted;
  const weights = s.resources.map((r) => r.weight);
  for (let i = 0; i < Math.min(wanted, allowed); i++) agent.pending.push(weighted(rng, weights));
  agent.requested += Math.min(wanted, allowed);
  const cheatNow = agent.cheater && agent.history.length > 0 && rng.next() < s.cheaters.closeProbability;

  if (cheatNow) {
    const h = agent.history;
    const claim = h[h.length - 1 - s.cheaters.staleRequests] ?? 0n;
    await requestClose(ctx, agent, claim);
    return;
  }
  if (!agent.cheater && s.senders.closeAt > 0 && block >= s.senders.closeAt) {
    if (agent.openBlock === undefined) {
      agent.phase = 'done';
      agent.pending = [];
      return;
    }
    await requestClose(ctx, agent, agent.history[agent.history.length - 1] ?? 0n);
    return;
  }
  return need(ctx, agent, channel);
}

/** The open and the number of top-ups after which the channel (as its client knows it) covers every pending request. */
function need(ctx: AgentContext, agent: Agent, ch: StoredChannel | undefined): DepositNeed | undefined {
  const { scenario: s } = ctx;
  const demand = agent.pending.reduce((sum, r) => sum + s.resources[r]!.price, 0n);
  if (demand === 0n) return;
  const open = ch ? undefined : s.senders.initialDeposit;
  const free = ch ? ch.deposit - ch.balance : open!;
  const topUps = free >= demand ? 0 : Number((demand - free + s.senders.topUp - 1n) / s.senders.topUp);
  if (open === undefined && topUps === 0) return;
  return { agent, ...(open !== undefined && { open }), topUps };
}

/** Gas limits of the batched deposits: above what they use (≈ 88k open, ≈ 55k top-up per FACTS). */
const OPEN_GAS = 150_000n;
const TOP_UP_GAS = 100_000n;

/** Sends the needed opens (one batch), then the top-ups (another: they need the open block). */
export async function makeDeposits(ctx: AgentContext, needs: DepositNeed[]): Promise<void> {
  const { chain } = ctx;
  const contract = chain.addresses.channels;
  const transfer = (amount: bigint, data: string) => chain.token.interface.encodeFunctionData('transfer(address,uint256,bytes)', [contract, amount, data]);
  const opening = needs.filter((n) => n.open !== undefined);
  const opened = await sendBatch(
    chain,
    opening.map(
      (n): BatchTx => ({
        from: n.agent.account,
        to: chain.addresses.token,
        data: transfer(n.open!, encodeOpenData(n.agent.account.address, ctx.receiver)),
        gasLimit: OPEN_GAS,
      }),
    ),
  );
  opening.forEach((n, i) => {
    // The open block is the block of the ChannelCreated log: the block the transfer landed in.
    n.agent.openBlock = opened[i]!.blockNumber;
    n.agent.history = [];
  });
  const topUps = needs.flatMap((n) =>
    Array.from(
      { length: n.topUps },
      (): BatchTx => ({
        from: n.agent.account,
        to: chain.addresses.token,
        data: transfer(ctx.scenario.senders.topUp, encodeTopUpData(n.agent.account.address, ctx.receiver, n.agent.openBlock!)),
        gasLimit: TOP_UP_GAS,
      }),
    ),
  );
  await sendBatch(chain, topUps);
  // The client learns the new deposit from the events at its next payment; marking the channel
  // fresh makes it wait (here: defer) rather than give up while the receiver lacks confirmations.
  await ctx.senders.noteDeposits(needs.map((n) => ({ index: n.agent.index, openBlock: n.agent.openBlock! })));
}

async function requestClose(ctx: AgentContext, agent: Agent, balance: bigint): Promise<void> {
  const r = await ctx.senders.closeUncooperatively(agent.index, ctx.receiver, agent.openBlock!, balance);
  agent.settleBlock = r.settleBlock;
  agent.phase = 'closing';
  agent.pending = [];
}

/** After the challenge period: settle, unless the receiver's dispute already did. */
async function settleIfDue(ctx: AgentContext, agent: Agent): Promise<void> {
  const head = await ctx.chain.blockNumber();
  if (head + 1 <= agent.settleBlock!) return;
  await ctx.senders.settleIfClosing(agent.index, ctx.receiver, agent.openBlock!);
  agent.phase = 'done';
}

/**
 * The payment phase: every active agent's pending requests, in order, until one must wait; the
 * outcomes are entered in agent order.
 */
export async function paymentPhase(ctx: AgentContext, agents: Agent[]): Promise<void> {
  const paying = agents.filter((a) => a.phase === 'active' && a.pending.length > 0);
  const work = paying.map((a): PaymentWork => ({ index: a.index, paths: a.pending.map((r) => ctx.scenario.resources[r]!.path) }));
  const outcomes = await ctx.senders.pay(work);
  const t = ctx.book.totals;
  outcomes.forEach((o, i) => {
    const agent = paying[i]!;
    agent.pending.splice(0, o.answered);
    for (const paid of o.served) {
      t.served++;
      t.earned += paid.price;
      openRecord(ctx.book, agent.account.address, paid.openBlock).paid = paid.balance;
      agent.history.push(paid.balance);
    }
    t.refusedOffline += o.refusedOffline;
    t.refusedOther += o.refusedOther;
    for (const [key, n] of Object.entries(o.errors)) t.errors[key] = (t.errors[key] ?? 0) + n;
    if (o.deferred) t.deferred++;
  });
}
