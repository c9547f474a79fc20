/**
 * §3.2 steps 5–10: deciding on one payment. Synchronous from the first check to the durable write,
 * so Node cannot interleave a second request for the same channel: two requests can never both be
 * served on one increment.
 */
import {
  InvalidSignatureError,
  OutOfRangeError,
  InvalidIntegerError,
  normalizeSignature,
  recoverBalanceProofSigner,
  channelKey,
  type Address,
  type ErrorFlag,
} from '../../../protocol/index.js';
import type { ChainChannel, ChannelKey, CloseRecord, Proof, UnconfirmedView } from './model.js';
import type { Payment, PaymentOutcome } from './types.js';

export interface PaymentContext {
  receiver: Address;
  contract: Address;
  chain: Map<ChannelKey, ChainChannel>;
  unconfirmed: UnconfirmedView;
  proofs: Map<ChannelKey, Proof>;
  closes: Map<ChannelKey, CloseRecord>;
  /** writes the proof durably; throws if it cannot (then nothing is served) */
  persist(sender: Address, openBlock: number, proof: Proof): void;
  rules: PaymentRules;
}

/**
 * The checks of §3.2 steps 6–8 as separate parts, so that each can be replaced on its own: the
 * conformance self-test builds deliberately broken receivers by wrapping one of them
 * (src/reference/faults.ts). A check returns the reason of a refusal, or undefined to go on.
 */
export interface PaymentRules {
  /** Step 6: the request names another receiver or contract: no channel of ours can match. */
  misdirected(ctx: Pick<PaymentContext, 'receiver' | 'contract'>, payment: Payment): string | undefined;
  /** Step 6: the channel is closed or closing for this receiver. */
  closing(ctx: Pick<PaymentContext, 'unconfirmed' | 'closes'>, key: ChannelKey, channel: ChainChannel): string | undefined;
  /** Step 7: who signed the proof (throws InvalidSignatureError for a signature nobody could have made). */
  signer(ctx: Pick<PaymentContext, 'receiver' | 'contract'>, payment: Payment): Address;
  /** Step 8: the increment over the registered proof (`last`) must be exactly the price. */
  amount(increment: bigint, price: bigint, last: Proof | undefined, payment: Payment): string | undefined;
  /** Step 9: the deposit a balance may reach — the confirmed one (§4: unconfirmed top-ups do not count). */
  deposit(ctx: Pick<PaymentContext, 'unconfirmed'>, key: ChannelKey, channel: ChainChannel): bigint;
}

export const PAYMENT_RULES: PaymentRules = {
  misdirected(ctx, payment) {
    if (payment.receiver !== undefined && payment.receiver.toLowerCase() !== ctx.receiver.toLowerCase()) {
      // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
      return `payment names receiver ${payment.receiver}, this is ${ctx.receiver}`;
    }
    if (payment.contract !== undefined && payment.contract.toLowerCase() !== ctx.contract.toLowerCase()) {
      // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
      return `payment names contract ${payment.contract}, this is ${ctx.contract}`;
    }
    return undefined;
  },
  closing: closingReason,
  // The proof must name this receiver, this open block, this balance and this contract (§1.2):
  // recovered over the receiver's own values, whatever the request's headers name.
  signer: (ctx, payment) =>
    recoverBalanceProofSigner({ receiver: ctx.receiver, openBlock: payment.openBlock, balance: payment.balance, contract: ctx.contract }, payment.signature),
  amount(increment, price, last, payment) {
    // A replay (increment 0) or a decrease is refused even if the caller passed a price of 0:
    // content is never served for an old proof.
    if (increment > 0n && increment === price) return undefined;
    // Stryker disable next-line all: wording of the refusal below
    const what = increment === 0n ? 'replays the registered balance' : increment < 0n ? 'decreases the balance' : `pays ${increment}`;
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    return `balance ${payment.balance} ${what}; registered ${last?.balance ?? 0n}, price ${price}`;
  },
  deposit: (_ctx, _key, channel) => channel.deposit,
};

/** Whether this receiver must stop serving a channel (§3.2 step 6), and why. */
export function closingReason(ctx: Pick<PaymentContext, 'unconfirmed' | 'closes'>, key: ChannelKey, c: ChainChannel): string | undefined {
  // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
  if (c.settled) return 'channel is settled';
  // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
  if (c.closeRequest) return 'channel close was requested';
  // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
  if (ctx.closes.get(key)?.closingSignature) return 'a closing signature was issued for this channel';
  // A close request still in unconfirmed blocks: the sender is leaving; stop serving now rather
  // than sell content the dispute may have to fight for. A reorg that drops it resumes service.
  // The same words as a confirmed one: what a client reads must not depend on when we polled.
  // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
  if (ctx.unconfirmed.closeRequests.has(key)) return 'channel close was requested';
  return undefined;
}

const refuse = (flag: ErrorFlag, reason: string, last?: Proof): PaymentOutcome =>
  last ? { accepted: false, flag, reason, last: { balance: last.balance, signature: last.signature } } : { accepted: false, flag, reason };

export function decidePayment(ctx: PaymentContext, payment: Payment, price: bigint): PaymentOutcome {
  const rules = ctx.rules;
  const misdirected = rules.misdirected(ctx, payment);
  if (misdirected) return refuse('RDN-Nonexisting-Channel', misdirected);
  const key = channelKey(payment.sender, ctx.receiver, payment.openBlock);
  const channel = ctx.chain.get(key);
  if (!channel) {
    // Step 5: seen only in blocks that are not confirmed yet.
    if (ctx.unconfirmed.channels.has(key)) {
      // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
      return refuse('RDN-Insufficient-Confirmations', `channel ${payment.sender}/${payment.openBlock} is not confirmed yet`);
    }
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    return refuse('RDN-Nonexisting-Channel', `no channel ${payment.sender}/${payment.openBlock} to ${ctx.receiver}`);
  }
  const closing = rules.closing(ctx, key, channel);
  if (closing) return refuse('RDN-Nonexisting-Channel', closing);

  // Step 7.
  let signer: Address;
  try {
    signer = rules.signer(ctx, payment);
  } catch (err) {
    if (err instanceof InvalidSignatureError || err instanceof OutOfRangeError || err instanceof InvalidIntegerError) {
      return refuse('RDN-Invalid-Balance-Proof', err.message);
    }
    throw err;
  }
  if (signer.toLowerCase() !== payment.sender.toLowerCase()) {
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    return refuse('RDN-Invalid-Balance-Proof', `proof signed by ${signer}, not by sender ${payment.sender}`);
  }

  // Step 8.
  const last = ctx.proofs.get(key);
  const increment = payment.balance - (last?.balance ?? 0n);
  const wrongAmount = rules.amount(increment, price, last, payment);
  if (wrongAmount) return refuse('RDN-Invalid-Amount', wrongAmount, last);

  // Step 9: only confirmed deposit counts; unconfirmed top-ups are not money yet.
  const deposit = rules.deposit(ctx, key, channel);
  if (payment.balance > deposit) {
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    return refuse('RDN-Invalid-Balance-Proof', `balance ${payment.balance} exceeds the confirmed deposit ${deposit}`);
  }

  // Step 10: durable first, then memory, then the caller serves.
  const proof: Proof = { balance: payment.balance, signature: normalizeSignature(payment.signature) };
  ctx.persist(channel.sender, channel.openBlock, proof);
  ctx.proofs.set(key, proof);
  return { accepted: true, balance: payment.balance, cost: increment };
}
