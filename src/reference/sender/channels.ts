/**
 * Pure bookkeeping of the sender's channels: applying chain events to the stored state, choosing
 * a channel for a payment, signing the next balance, and deciding whether a balance the server
 * reports may be adopted.
 */
import { sameAddress } from '../../protocol/address.js';
import { recoverBalanceProofSigner, signBalanceProof } from '../../protocol/signature.js';
import type { Address, Hex } from '../../protocol/types.js';
import type { ChannelEvent } from '../../protocol/events.js';
import { BalanceAboveDepositError } from './errors.js';
import type { AccountState, StoredChannel } from './store.js';

export function findChannel(state: AccountState, receiver: string, openBlock: number): StoredChannel | undefined {
  return state.channels.find((c) => c.openBlock === openBlock && sameAddress(c.receiver, receiver));
}

/**
 * Applies events (already in chain order, each exactly once: the caller advances `syncedBlock`
 * past them) to the state. Balances and proofs are never touched here — they are not on chain —
 * except that a settled channel keeps the balance it settled at for the record.
 */
export function applyEvents(state: AccountState, events: readonly ChannelEvent[], challengePeriod: number): void {
  for (const ev of events) {
    let ch = findChannel(state, ev.receiver, ev.openBlock);
    if (ev.kind === 'created') {
      if (ch === undefined) {
        ch = { receiver: ev.receiver, openBlock: ev.openBlock, deposit: 0n, balance: 0n, withdrawn: 0n, status: 'open' };
        state.channels.push(ch);
      }
      ch.deposit = ev.deposit;
      continue;
    }
    // An event for a channel whose creation we never saw (synced from a later block): skip it;
    // `refreshFromChain` fills such gaps from getChannelInfo when needed.
    if (ch === undefined) continue;
    switch (ev.kind) {
      case 'toppedUp':
        ch.deposit += ev.added;
        break;
      case 'withdraw':
        ch.withdrawn += ev.withdrawn; // the event carries the delta paid out
        break;
      case 'closeRequested':
        ch.status = 'closing';
        ch.closingBalance = ev.balance;
        // The contract sets settle_block_number = block.number + challenge_period.
        ch.settleBlock = ev.block + challengePeriod;
        break;
      case 'settled':
        ch.status = 'settled';
        ch.closingBalance = ev.balance;
        break;
    }
  }
}

/** What a payment of `price` to `receiver` needs. */
export type ChannelChoice =
  | { action: 'pay'; channel: StoredChannel }
  | { action: 'topUp'; channel: StoredChannel; amount: bigint }
  | { action: 'open'; deposit: bigint };

export interface DepositPolicy {
  /** deposit of a new channel for a request of `price` (at least `price` is always deposited) */
  initialDeposit: (price: bigint) => bigint;
  /** deposit added to a channel that cannot cover `price` */
  topUpAmount: (price: bigint) => bigint;
  /** the contract's per-channel total deposit limit */
  depositLimit: bigint;
}

/**
 * The channel to pay `price` on: the most recently opened open channel to the receiver when it
 * covers the price (so a session stays on one channel); otherwise that channel topped up, unless
 * the top-up would pass the contract's limit; otherwise a new channel.
 */
export function chooseChannel(state: AccountState, receiver: string, price: bigint, policy: DepositPolicy): ChannelChoice {
  const open = state.channels.filter((c) => c.status === 'open' && sameAddress(c.receiver, receiver)).sort((a, b) => b.openBlock - a.openBlock);
  const covering = open.find((c) => c.deposit - c.balance >= price);
  if (covering) return { action: 'pay', channel: covering };
  const latest = open[0];
  if (latest) {
    const missing = latest.balance + price - latest.deposit;
    const amount = max(policy.topUpAmount(price), missing);
    if (latest.deposit + amount <= policy.depositLimit) return { action: 'topUp', channel: latest, amount };
  }
  return { action: 'open', deposit: max(policy.initialDeposit(price), price) };
}

/** §3.3: signs `balance` on the channel, never above its deposit. */
export function signBalance(privateKey: Hex, contract: Address, channel: StoredChannel, balance: bigint): Hex {
  if (balance > channel.deposit) throw new BalanceAboveDepositError(balance, channel.deposit);
  return signBalanceProof(privateKey, { receiver: channel.receiver, openBlock: channel.openBlock, balance, contract });
}

/**
 * Whether `signature` is this sender's own proof of `balance` on this channel, receiver and
 * contract — the only condition under which a balance reported by the server is adopted (§3.2
 * step 8): otherwise a server could raise the sender's balance by claiming so.
 */
export function isOwnProof(sender: Address, contract: Address, channel: StoredChannel, balance: bigint, signature: string | undefined): boolean {
  if (signature === undefined || balance > channel.deposit) return false;
  try {
    const signer = recoverBalanceProofSigner({ receiver: channel.receiver, openBlock: channel.openBlock, balance, contract }, signature);
    return sameAddress(signer, sender);
  } catch {
    return false;
  }
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
