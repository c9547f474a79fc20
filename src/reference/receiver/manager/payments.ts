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
import type { Fault } from '../../faults.js';

export interface PaymentContext {
  receiver: Address;
  contract: Address;
  chain: Map<ChannelKey, ChainChannel>;
  unconfirmed: UnconfirmedView;
  proofs: Map<ChannelKey, Proof>;
  closes: Map<ChannelKey, CloseRecord>;
  /** writes the proof durably; throws if it cannot (then nothing is served) */
  persist(sender: Address, openBlock: number, proof: Proof): void;
  /** deliberate violations for the conformance self-test (src/reference/faults.ts); empty in service */
  faults: ReadonlySet<Fault>;
}

/** How long a 'double-serve' receiver treats a just-registered proof as still unregistered. */
const DOUBLE_SERVE_WINDOW_MS = 250;

/** Whether this receiver must stop serving a channel (§3.2 step 6), and why. */
export function closingReason(ctx: Pick<PaymentContext, 'unconfirmed' | 'closes'>, key: ChannelKey, c: ChainChannel): string | undefined {
  if (c.settled) return 'channel is settled';
  if (c.closeRequest) return 'channel close was requested';
  if (ctx.closes.get(key)?.closingSignature) return 'a closing signature was issued for this channel';
  // A close request still in unconfirmed blocks: the sender is leaving; stop serving now rather
  // than sell content the dispute may have to fight for. A reorg that drops it resumes service.
  if (ctx.unconfirmed.closeRequests.has(key)) return 'channel close was requested (unconfirmed)';
  return undefined;
}

const refuse = (flag: ErrorFlag, reason: string, last?: Proof): PaymentOutcome =>
  last ? { accepted: false, flag, reason, last: { balance: last.balance, signature: last.signature } } : { accepted: false, flag, reason };

export function decidePayment(ctx: PaymentContext, payment: Payment, price: bigint): PaymentOutcome {
  const lowerReceiver = ctx.receiver.toLowerCase();
  // Step 6 (another receiver or contract): no channel of ours can match, whatever its state.
  if (payment.receiver !== undefined && payment.receiver.toLowerCase() !== lowerReceiver) {
    return refuse('RDN-Nonexisting-Channel', `payment names receiver ${payment.receiver}, this is ${ctx.receiver}`);
  }
  const faults = ctx.faults;
  const signedContract = faults.has('contract-not-checked') ? (payment.contract ?? ctx.contract) : ctx.contract;
  if (signedContract === ctx.contract && payment.contract !== undefined && payment.contract.toLowerCase() !== ctx.contract.toLowerCase()) {
    return refuse('RDN-Nonexisting-Channel', `payment names contract ${payment.contract}, this is ${ctx.contract}`);
  }
  const key = channelKey(payment.sender, ctx.receiver, payment.openBlock);
  const channel = ctx.chain.get(key);
  if (!channel) {
    // Step 5: seen only in blocks that are not confirmed yet.
    if (ctx.unconfirmed.channels.has(key)) {
      return refuse('RDN-Insufficient-Confirmations', `channel ${payment.sender}/${payment.openBlock} is not confirmed yet`);
    }
    return refuse('RDN-Nonexisting-Channel', `no channel ${payment.sender}/${payment.openBlock} to ${ctx.receiver}`);
  }
  const closing = faults.has('closed-channel-served') ? undefined : closingReason(ctx, key, channel);
  if (closing) return refuse('RDN-Nonexisting-Channel', closing);

  // Step 7: the signature must name this receiver, this open block, this balance, this contract.
  let signer: Address;
  try {
    signer = faults.has('no-signature-check')
      ? payment.sender
      : recoverBalanceProofSigner(
          { receiver: ctx.receiver, openBlock: payment.openBlock, balance: payment.balance, contract: signedContract },
          payment.signature,
        );
  } catch (err) {
    if (err instanceof InvalidSignatureError || err instanceof OutOfRangeError || err instanceof InvalidIntegerError) {
      return refuse('RDN-Invalid-Balance-Proof', err.message);
    }
    throw err;
  }
  if (signer.toLowerCase() !== payment.sender.toLowerCase()) {
    return refuse('RDN-Invalid-Balance-Proof', `proof signed by ${signer}, not by sender ${payment.sender}`);
  }

  // Step 8: the increment must be exactly the price. A replay (increment 0) or a decrease is
  // refused even if the caller passed a price of 0: content is never served for an old proof.
  const last = ctx.proofs.get(key);
  const registered = last?.balance ?? 0n;
  const increment = payment.balance - registered;
  if ((increment <= 0n || increment !== price) && !faultyAmountAccepted(faults, increment, price, last, payment)) {
    const what = increment === 0n ? 'replays the registered balance' : increment < 0n ? 'decreases the balance' : `pays ${increment}`;
    return refuse('RDN-Invalid-Amount', `balance ${payment.balance} ${what}; registered ${registered}, price ${price}`, last);
  }

  // Step 9: only confirmed deposit counts; unconfirmed top-ups are not money yet.
  if (payment.balance > channel.deposit) {
    return refuse('RDN-Invalid-Balance-Proof', `balance ${payment.balance} exceeds the confirmed deposit ${channel.deposit}`);
  }

  // Step 10: durable first, then memory, then the caller serves.
  const proof: Proof = { balance: payment.balance, signature: normalizeSignature(payment.signature) };
  if (faults.has('double-serve')) registeredAt.set(proof.signature, Date.now());
  ctx.persist(channel.sender, channel.openBlock, proof);
  ctx.proofs.set(key, proof);
  return { accepted: true, balance: payment.balance, cost: increment };
}

/** The amounts a faulty receiver lets through (src/reference/faults.ts); false in service. */
function faultyAmountAccepted(faults: ReadonlySet<Fault>, increment: bigint, price: bigint, last: Proof | undefined, payment: Payment): boolean {
  if (faults.size === 0) return false;
  if (faults.has('decreasing-balance') && increment < 0n) return true;
  if (faults.has('underpayment') && increment > 0n && increment < price) return true;
  if (faults.has('double-serve') && increment === 0n && last?.signature === normalizeSignature(payment.signature)) {
    // What a check-then-write race looks like from outside: requests that arrived together all
    // saw the old balance. Only a replay that follows its registration closely slips through.
    const at = registeredAt.get(last.signature);
    return at !== undefined && Date.now() - at < DOUBLE_SERVE_WINDOW_MS;
  }
  return false;
}

const registeredAt = new Map<string, number>();
