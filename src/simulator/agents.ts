/**
 * The senders: reference clients with a behaviour. Each tick has three steps for them:
 *
 * - chain phase (agents one after the other, by index): draw this tick's requests, then what the
 *   agent does on chain — a cheater's stale close, a settle due or an honest close, through its
 *   client; or the open / top-ups that make its channel cover the tick's demand, which it only
 *   *asks* for (DepositNeed). Sequential because the chain instamines: the order of transactions
 *   fixes every open block, and so the whole table.
 * - deposits: every agent's open, then every top-up, sent as two batches (batch.ts) — the same
 *   ERC223 transfers the client would send, in a few blocks instead of one block each.
 * - payment phase (agents concurrently, at most PAYMENT_CONCURRENCY at once, each agent's
 *   requests in order): every request goes through `client.fetch` and the real proxy. Payments
 *   touch no chain state, so running agents side by side changes nothing but the wall time.
 *
 * A request that must wait — the deposit it needs is not confirmed yet, or the receiver has not
 * seen the channel — is deferred to the next tick instead of mining blocks inside the request:
 * the client's retry hook throws DeferredRequest.
 */
import { encodeOpenData, encodeTopUpData } from '../protocol/index.js';
import { createSenderClient, type SenderClient, type SenderClientOptions } from '../reference/sender/index.js';
import type { Account, Chain } from '../sim/chain.js';
import { sendBatch, type BatchTx } from './batch.js';
import { openRecord } from './ledger.js';
import type { Book } from './book.js';
import { poisson, weighted, type Rng } from './rng.js';
import type { Scenario } from './scenario.js';

/** Thrown by the client's retry hook: the request waits for the next tick (a signal, not a failure). */
export class DeferredRequest extends Error {}

/** Any origin works: requests never leave the process (see inject-fetch.ts). */
const ORIGIN = 'http://receiver.sim';

export interface Agent {
  index: number;
  account: Account;
  cheater: boolean;
  client: SenderClient;
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
}

/**
 * Clients for every sender. The first connects as usual (createSenderClient reads the chain id,
 * the contract's code and constants); the others are given what it read (`contractInfo`) — five
 * calls per client that a thousand senders would otherwise repeat — then sync like any client.
 */
export async function createAgents(
  ctx: AgentContext,
  accounts: Account[],
  cheaters: Set<number>,
  storePath: (i: number) => string,
  fetchImpl: typeof fetch,
): Promise<Agent[]> {
  const options = (account: Account, i: number): SenderClientOptions => ({
    privateKey: account.privateKey,
    provider: ctx.chain.provider,
    contract: ctx.chain.addresses.channels,
    storePath: storePath(i),
    // The run's stores are thrown away with its temp dir: no fsync per payment.
    storeSync: false,
    fromBlock: ctx.startBlock,
    fetch: fetchImpl,
    policy: { maxPrice: 2n ** 192n - 1n, initialDeposit: ctx.scenario.senders.initialDeposit, topUpAmount: ctx.scenario.senders.topUp },
    retry: {
      attempts: 1,
      wait: async () => {
        throw new DeferredRequest();
      },
    },
  });
  const agents: Agent[] = [];
  for (const [i, account] of accounts.entries()) {
    const first = agents[0]?.client;
    const client = await createSenderClient({ ...options(account, i), ...(first && { contractInfo: first.contractInfo }) });
    agents.push({ index: i, account, cheater: cheaters.has(i), client, pending: [], requested: 0, phase: 'active', history: [] });
  }
  return agents;
}

/** What an agent needs deposited before its tick's payments: an open, then top-ups. */
export interface DepositNeed {
  agent: Agent;
  /** deposit of a new channel, if it has none */
  open?: bigint;
  topUps: number;
}

/**
 * The chain phase of one agent at simulation block `block` (relative to the start); returns the
 * deposits it needs, if any.
 */
export async function chainPhase(ctx: AgentContext, agent: Agent, block: number): Promise<DepositNeed | undefined> {
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
  return need(ctx, agent);
}

/** The open and the number of top-ups after which the channel covers every pending request. */
function need(ctx: AgentContext, agent: Agent): DepositNeed | undefined {
  const { scenario: s } = ctx;
  const demand = agent.pending.reduce((sum, r) => sum + s.resources[r]!.price, 0n);
  if (demand === 0n) return;
  const ch = agent.openBlock === undefined ? undefined : agent.client.channel(ctx.receiver, agent.openBlock);
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
  for (const n of needs) {
    // The client learns the new deposit from the events at its next payment; marking the channel
    // fresh makes it wait (here: defer) rather than give up while the receiver lacks confirmations.
    n.agent.client.noteDeposit(ctx.receiver, n.agent.openBlock!);
  }
}

async function requestClose(ctx: AgentContext, agent: Agent, balance: bigint): Promise<void> {
  const r = await agent.client.closeUncooperatively(ctx.receiver, agent.openBlock!, { balance });
  agent.settleBlock = r.settleBlock;
  agent.phase = 'closing';
  agent.pending = [];
}

/** After the challenge period: settle, unless the receiver's dispute already did. */
async function settleIfDue(ctx: AgentContext, agent: Agent): Promise<void> {
  const head = await ctx.chain.blockNumber();
  if (head + 1 <= agent.settleBlock!) return;
  await agent.client.sync();
  const ch = agent.client.channel(ctx.receiver, agent.openBlock!);
  if (ch?.status === 'closing') await agent.client.settle(ctx.receiver, agent.openBlock!);
  agent.phase = 'done';
}

/** The payment phase of one agent: its pending requests in order, until one must wait. */
export async function paymentPhase(ctx: AgentContext, agent: Agent): Promise<void> {
  const t = ctx.book.totals;
  while (agent.phase === 'active' && agent.pending.length > 0) {
    const resource = ctx.scenario.resources[agent.pending[0]!]!;
    let status: number;
    try {
      const res = await agent.client.fetch(ORIGIN + resource.path, { headers: { accept: 'application/json' } });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      if (err instanceof DeferredRequest) {
        t.deferred++;
        return;
      }
      const code = (err as { code?: unknown }).code;
      const key = typeof code === 'string' ? code : (err as Error).name;
      t.errors[key] = (t.errors[key] ?? 0) + 1;
      t.refusedOther++;
      agent.pending.shift();
      continue;
    }
    agent.pending.shift();
    if (status === 200) {
      const paid = agent.client.lastPayment!;
      t.served++;
      t.earned += paid.price;
      openRecord(ctx.book, agent.client.address, paid.openBlock).paid = paid.balance;
      agent.history.push(paid.balance);
    } else if (status === 502) t.refusedOffline++;
    else {
      t.refusedOther++;
      t.errors[`HTTP_${status}`] = (t.errors[`HTTP_${status}`] ?? 0) + 1;
    }
  }
}
