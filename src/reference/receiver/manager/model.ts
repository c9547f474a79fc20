/**
 * The manager's view of its channels, in memory. Two halves with different owners:
 *  - chain-derived facts (deposit, withdrawn, close request, settlement), rebuilt from events and
 *    thrown away wholesale on a re-sync;
 *  - local facts (the registered proof, a closing signature issued, a dispute sent), which only
 *    this receiver knows and which a re-sync must never lose.
 */
import { channelKey, type Address, type ChannelEvent, type Hex } from '../../../protocol/index.js';

/** A channel's identity: the contract's own key for it, §1.5 `channelKey(sender, receiver, open block)`. */
export type ChannelKey = Hex;

export interface CloseRequest {
  balance: bigint;
  /** the block after which the sender may settle (request block + challenge period) */
  settleBlock: number;
  block: number;
}

/** Nested objects are replaced, never mutated, so a shallow copy is a full copy. */
export interface ChainChannel {
  sender: Address;
  openBlock: number;
  deposit: bigint;
  withdrawn: bigint;
  closeRequest?: CloseRequest;
  settled?: { balance: bigint; receiverTokens: bigint; block: number };
}

export interface Proof {
  balance: bigint;
  signature: Hex;
}

export type DisputeStatus = 'sent' | 'mined' | 'failed';

/** A cooperativeClose this receiver signed as a transaction to answer a close request (§4). */
export interface Dispute {
  balance: bigint;
  txHash: Hex;
  rawTx: Hex;
  nonce: number;
  status: DisputeStatus;
  attempts: number;
  error?: string;
}

/** What this receiver did to close a channel: a closing signature given out, a dispute sent. */
export interface CloseRecord {
  closingSignature?: Hex;
  closingBalance?: bigint;
  dispute?: Dispute;
}

/** Recomputed from scratch every poll from the unconfirmed blocks, so a reorg there is just forgotten. */
export interface UnconfirmedView {
  channels: Map<ChannelKey, { sender: Address; openBlock: number; deposit: bigint }>;
  topUps: Map<ChannelKey, bigint>;
  closeRequests: Set<ChannelKey>;
}

export function emptyUnconfirmed(): UnconfirmedView {
  return { channels: new Map(), topUps: new Map(), closeRequests: new Set() };
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/**
 * Applies one confirmed event to the chain-derived map; returns the keys it touched. Events for
 * channels opened before the start block are logged and skipped: the manager cannot know their
 * deposit, so it could never serve them anyway.
 */
export function applyConfirmedEvent(channels: Map<ChannelKey, ChainChannel>, ev: ChannelEvent, challengePeriod: number, log: Logger): ChannelKey | undefined {
  const key = channelKey(ev.sender, ev.receiver, ev.openBlock);
  if (ev.kind === 'created') {
    // One channel per (sender, receiver, block) on chain, so a second ChannelCreated for a key can
    // only be a replayed log; keep the first.
    if (!channels.has(key)) {
      channels.set(key, { sender: ev.sender, openBlock: ev.openBlock, deposit: ev.deposit, withdrawn: 0n });
    }
    return key;
  }
  const c = channels.get(key);
  if (!c) {
    log.warn(`${ev.kind} for unknown channel ${key} (opened before the start block?); ignored`);
    return undefined;
  }
  switch (ev.kind) {
    case 'toppedUp':
      // The contract refuses top-ups after a close request; a top-up of a channel we merely gave a
      // closing signature for is real money on chain, so it still counts.
      c.deposit += ev.added;
      break;
    case 'closeRequested':
      c.closeRequest = { balance: ev.balance, settleBlock: ev.block + challengePeriod, block: ev.block };
      break;
    case 'settled':
      c.settled = { balance: ev.balance, receiverTokens: ev.receiverTokens, block: ev.block };
      break;
    case 'withdraw':
      c.withdrawn += ev.withdrawn;
      break;
  }
  return key;
}

/** Rebuilds the unconfirmed view from the events of the blocks above the confirmed head. */
export function unconfirmedFrom(events: ChannelEvent[]): UnconfirmedView {
  const view = emptyUnconfirmed();
  for (const ev of events) {
    const key = channelKey(ev.sender, ev.receiver, ev.openBlock);
    if (ev.kind === 'created') view.channels.set(key, { sender: ev.sender, openBlock: ev.openBlock, deposit: ev.deposit });
    else if (ev.kind === 'toppedUp') view.topUps.set(key, (view.topUps.get(key) ?? 0n) + ev.added);
    else if (ev.kind === 'closeRequested') view.closeRequests.add(key);
  }
  return view;
}
