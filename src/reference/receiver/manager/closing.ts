/**
 * §5 DELETE /channels/<sender>/<open_block>: the receiver's closing signature (§1.3) for exactly
 * the registered balance. Giving it out lets the sender settle at once, so the channel stops being
 * served from that moment (§3.2 step 6) — which is why the request must carry the sender's own
 * signature over the same closing message: without it anyone could freeze a sender's channel.
 */
import {
  InvalidSignatureError,
  OutOfRangeError,
  InvalidIntegerError,
  channelKey,
  recoverClosingSigner,
  signClosing,
  type Address,
  type Hex,
} from '../../../protocol/index.js';
import type { CloseRecord } from './model.js';
import { closingReason, type PaymentContext } from './payments.js';
import type { CooperativeCloseOutcome } from './types.js';

export interface ClosingContext extends Omit<PaymentContext, 'persist' | 'rules'> {
  receiverKey: Hex;
  /** records the issued signature durably before it leaves the process */
  persistClose(sender: Address, openBlock: number, record: CloseRecord): void;
}

export function decideCooperativeClose(
  ctx: ClosingContext,
  sender: Address,
  openBlock: number,
  balance: bigint,
  senderSignature: string,
): CooperativeCloseOutcome {
  const key = channelKey(sender, ctx.receiver, openBlock);
  const channel = ctx.chain.get(key);
  if (!channel) {
    // Stryker disable next-line all: wording of the refusal below
    const why = ctx.unconfirmed.channels.has(key) ? 'is not confirmed yet' : 'is unknown';
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    return { ok: false, status: 404, reason: `channel ${sender}/${openBlock} ${why}` };
  }
  const closing = closingReason(ctx, key, channel);
  if (closing) return { ok: false, status: 400, reason: closing };

  const message = { sender: channel.sender, openBlock, balance, contract: ctx.contract };
  let signer: Address;
  try {
    signer = recoverClosingSigner(message, senderSignature);
  } catch (err) {
    if (err instanceof InvalidSignatureError || err instanceof OutOfRangeError || err instanceof InvalidIntegerError) {
      // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
      return { ok: false, status: 400, reason: `sender_signature: ${err.message}` };
    }
    throw err;
  }
  if (signer.toLowerCase() !== sender.toLowerCase()) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    return { ok: false, status: 400, reason: `sender_signature signed by ${signer}, not by sender ${sender}` };
  }
  const proof = ctx.proofs.get(key);
  // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
  if (!proof) return { ok: false, status: 400, reason: 'no payment was registered on this channel' };
  if (balance !== proof.balance) {
    // Stryker disable next-line StringLiteral: wording (§5 fixes the status, not the text)
    return { ok: false, status: 400, reason: `balance ${balance} is not the registered balance ${proof.balance}` };
  }

  const closeSignature = signClosing(ctx.receiverKey, message);
  const record: CloseRecord = { ...ctx.closes.get(key), closingSignature: closeSignature, closingBalance: balance };
  ctx.persistClose(channel.sender, openBlock, record);
  ctx.closes.set(key, record);
  return { ok: true, closeSignature };
}
