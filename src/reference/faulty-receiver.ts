/**
 * The receivers of src/reference/faults.ts: each fault is a wrapper around one part of a correct
 * receiver — one payment rule, an option, the manager's health as the proxy sees it, the request
 * headers — never a branch inside the §3.2 or dispute code. Internal to the kit.
 */
import { bytesToHex, concatBytes, decodeHex, keccak256, utf8ToBytes } from '../protocol/bytes.js';
import { balanceMessageHash, HEADER, normalizeSignature, recoverBalanceProofSigner, recoverSigner, sameAddress } from '../protocol/index.js';
import type { Fault } from './faults.js';
import { openReceiverWith, type Receiver, type ReceiverOptions } from './receiver/manager/manager.js';
import { PAYMENT_RULES, type PaymentRules } from './receiver/manager/payments.js';
import type { ReceiverManager } from './receiver/manager/types.js';
import type { PaywalledProxy } from './receiver/proxy/app.js';

/** How long a 'double-serve' receiver treats a just-accepted proof as still unregistered. */
const DOUBLE_SERVE_WINDOW_MS = 250;

/** The payment rules with the faults' replacements; each receiver gets its own (double-serve keeps state). */
function faultyRules(faults: ReadonlySet<Fault>): PaymentRules {
  const rules: PaymentRules = { ...PAYMENT_RULES };
  if (faults.has('contract-not-checked')) {
    // The contract the request names is trusted: checked against nothing, and the proof verified over it.
    rules.misdirected = (ctx, payment) => PAYMENT_RULES.misdirected(ctx, { ...payment, contract: undefined });
    rules.signer = (ctx, payment) =>
      recoverBalanceProofSigner(
        { receiver: ctx.receiver, openBlock: payment.openBlock, balance: payment.balance, contract: payment.contract ?? ctx.contract },
        payment.signature,
      );
  }
  if (faults.has('closed-channel-served')) rules.closing = () => undefined;
  if (faults.has('no-signature-check')) rules.signer = (_ctx, payment) => payment.sender;
  if (faults.has('prefixed-signatures')) {
    // What a verifier that "also tries personal_sign" does: a second recovery over the prefixed hash.
    const signer = rules.signer;
    rules.signer = (ctx, payment) => {
      const plain = signer(ctx, payment);
      if (sameAddress(plain, payment.sender)) return plain;
      const hash = decodeHex(
        balanceMessageHash({ receiver: ctx.receiver, openBlock: payment.openBlock, balance: payment.balance, contract: ctx.contract }),
        2,
        32,
      )!;
      const prefixed = bytesToHex(keccak256(concatBytes(utf8ToBytes('\x19Ethereum Signed Message:\n32'), hash)));
      return recoverSigner(prefixed, payment.signature);
    };
  }
  if (faults.has('unconfirmed-topups')) rules.deposit = (ctx, key, channel) => channel.deposit + (ctx.unconfirmed.topUps.get(key) ?? 0n);

  const amount = rules.amount;
  const acceptedAt = new Map<string, number>();
  rules.amount = (increment, price, last, payment) => {
    if (faults.has('decreasing-balance') && increment < 0n) return undefined;
    if (faults.has('replay-by-signature') && increment === 0n && last?.signature !== normalizeSignature(payment.signature)) return undefined;
    if (faults.has('underpayment') && increment > 0n && increment < price) return undefined;
    if (faults.has('double-serve') && increment === 0n && last?.signature === normalizeSignature(payment.signature)) {
      // What a check-then-write race looks like from outside: requests that arrived together all
      // saw the old balance. Only a replay that follows its registration closely slips through.
      const at = acceptedAt.get(last.signature);
      if (at !== undefined && Date.now() - at < DOUBLE_SERVE_WINDOW_MS) return undefined;
    }
    const refusal = amount(increment, price, last, payment);
    if (refusal === undefined && faults.has('double-serve')) acceptedAt.set(normalizeSignature(payment.signature), Date.now());
    return refusal;
  };
  return rules;
}

/** A receiver with faults: how to open it, what its proxy is given, and what is done to the proxy. */
export interface FaultyReceiver {
  open(options: ReceiverOptions): Promise<Receiver>;
  /** the manager as the proxy sees it */
  forProxy(receiver: Receiver): ReceiverManager;
  /** applied to the proxy before it listens */
  adjust(proxy: PaywalledProxy): void;
}

export function faultyReceiver(faults: ReadonlySet<Fault>): FaultyReceiver {
  return {
    open: (options) =>
      openReceiverWith(
        {
          ...options,
          ...(faults.has('confirmations-ignored') && { confirmations: 0 }),
          ...(faults.has('no-dispute') && { disputes: false }),
        },
        { paymentRules: faultyRules(faults) },
      ),
    forProxy(receiver) {
      if (!faults.has('no-502')) return receiver;
      // Every member the proxy uses, with health always fine: it never answers 502.
      return {
        receiver: receiver.receiver,
        contract: receiver.contract,
        token: receiver.token,
        chainId: receiver.chainId,
        confirmations: receiver.confirmations,
        health: () => ({ ok: true }),
        pay: (payment, price) => receiver.pay(payment, price),
        channels: (filter) => receiver.channels(filter),
        channel: (sender, openBlock) => receiver.channel(sender, openBlock),
        stats: () => receiver.stats(),
        cooperativeClose: (sender, openBlock, balance, signature) => receiver.cooperativeClose(sender, openBlock, balance, signature),
      };
    },
    adjust(proxy) {
      // What a receiver that never read cookies does: a browser's payment is as good as none.
      if (faults.has('cookies-ignored')) {
        proxy.app.addHook('onRequest', async (req) => {
          delete req.headers.cookie;
        });
      }
      if (!faults.has('v35-accepted')) return;
      // What the original Python verifier did with an EIP-155 style v ≥ 35: fold it onto 27/28
      // before the proof is read, so that a proof the contract refuses is taken.
      const name = HEADER.balanceSignature.toLowerCase();
      proxy.app.addHook('onRequest', async (req) => {
        const value = req.headers[name];
        if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(value.trim())) return;
        const v = parseInt(value.trim().slice(130), 16);
        if (v >= 35) req.headers[name] = value.trim().slice(0, 130) + (27 + ((v - 35) % 2)).toString(16);
      });
    },
  };
}
