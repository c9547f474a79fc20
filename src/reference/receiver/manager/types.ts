// The contract between the receiver's channel manager (SPEC §4) and the paywalled proxy (§3) and
// REST API (§5) that sit on top of it. The proxy parses headers (§3.2 steps 1–4) and turns the
// manager's answers into HTTP; the manager owns the chain view and the registered proofs.
import type { Address, ErrorFlag, Hex } from '../../../protocol/index.js';

/** §3.2 step 1: whether the receiver can watch its chain right now. */
export type Health = { ok: true } | { ok: false; reason: 'chain-unreachable' | 'eth-below-floor'; detail: string };

/** A payment as the proxy parsed it from the request headers (§3.1). */
export interface Payment {
  sender: Address;
  openBlock: number;
  balance: bigint;
  /** normalised to v = 27/28 (§1.4) */
  signature: Hex;
  /** the receiver named by the request, if any; absent means "this receiver" */
  receiver?: Address;
  /** the contract named by the request, if any; absent means "this contract" */
  contract?: Address;
}

/** The last proof the receiver registered for a channel. */
export interface RegisteredProof {
  balance: bigint;
  signature: Hex;
}

export type PaymentOutcome =
  /** §3.2 step 10: registered durably; serve the content. */
  | { accepted: true; balance: bigint; cost: bigint }
  /** §3.2 steps 5–9: a 402 with the flag; `last` is the registered proof, if any (step 8). */
  | { accepted: false; flag: ErrorFlag | null; reason: string; last?: RegisteredProof };

export type ChannelState = 'open' | 'closing' | 'closed';

/** One channel as the REST API (§5) shows it. */
export interface ChannelView {
  sender: Address;
  receiver: Address;
  openBlock: number;
  deposit: bigint;
  /** last registered balance (0 when no payment yet) */
  balance: bigint;
  withdrawn: bigint;
  state: ChannelState;
  /** block after which the sender may settle, when a close was requested */
  settleBlock?: number;
  lastSignature?: Hex;
}

export interface Stats {
  depositSum: bigint;
  balanceSum: bigint;
  openChannels: number;
  pendingChannels: number;
  uniqueSenders: number;
  liquidBalance: bigint;
  token: Address;
  contract: Address;
  receiver: Address;
  /** §5 `sync_block`: the block the receiver scans the contract's events from (its start block). */
  syncBlock: number;
  /** §5 `confirmed_block`: the head of what the receiver counts as confirmed. */
  confirmedBlock: number;
  /** The confirmations the receiver requires (§4 N). */
  confirmations: number;
}

export type CooperativeCloseOutcome = { ok: true; closeSignature: Hex } | { ok: false; status: 400 | 404; reason: string };

/** What the proxy and the REST API need from a channel manager. */
export interface ReceiverManager {
  readonly receiver: Address;
  readonly contract: Address;
  readonly token: Address;
  readonly chainId: number;
  /** §4 N: an event counts once the head is N blocks past it. */
  readonly confirmations: number;
  health(): Health;
  /**
   * §3.2 steps 5–10 for a payment of `price`. Synchronous on purpose: the check and the durable
   * write happen with no await between them, so two requests can never both be served on one
   * increment (Node runs one at a time).
   */
  pay(payment: Payment, price: bigint): PaymentOutcome;
  channels(filter?: { status?: 'open' | 'closed' | 'all'; sender?: Address }): ChannelView[];
  channel(sender: Address, openBlock: number): ChannelView | undefined;
  stats(): Stats;
  /** §5 DELETE: a closing signature for exactly the registered balance, authenticated by the sender. */
  cooperativeClose(sender: Address, openBlock: number, balance: bigint, senderSignature: string): CooperativeCloseOutcome;
}
