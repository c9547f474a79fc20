/**
 * The §3.2 decision for one request to a paywalled resource, as a pure synchronous function of
 * the manager's state, the price and the request headers. It is synchronous end to end so that
 * the check in `manager.pay()` and its durable write are never separated by another request
 * (the manager relies on that, see ReceiverManager.pay). app.ts turns a Decision into HTTP.
 */
import {
  encodeReplyHeaders,
  type ErrorFlag,
  HEADER,
  HeaderError,
  type HeaderGetter,
  type PaymentHeaders,
  parsePaymentHeaders,
} from '../../../protocol/index.js';
import type { ReceiverManager } from '../manager/types.js';

export type Decision =
  /** §3.2 step 1. */
  | { kind: 'unavailable'; status: 502; reason: string }
  /** Step 2: price 0, serve without payment. */
  | { kind: 'free'; status: 200; headers: Record<string, string> }
  /** Step 3, syntax: 409 with the reason. */
  | { kind: 'malformed'; status: 409; reason: string; headers: Record<string, string> }
  /** Steps 3 (bad signature), 4 (no payment), 5–9 (the manager refused). */
  | { kind: 'payment-required'; status: 402; reason: string; flag: ErrorFlag | null; headers: Record<string, string> }
  /** Step 10: registered durably; serve. */
  | { kind: 'paid'; status: 200; headers: Record<string, string>; balance: bigint; cost: bigint };

export interface Paywall {
  readonly manager: ReceiverManager;
  readonly gatewayPath: string;
  /**
   * §3.2 for one request. `charge: false` (HEAD) runs steps 1–4 and answers the payment request
   * without ever calling `pay()`: a HEAD has no content to deliver, so charging it would take a
   * payment for nothing. `price` may be a thunk, evaluated after the health check (step 1 comes
   * first even when the price function would refuse the request); what it throws propagates.
   */
  decide(price: bigint | (() => bigint), get: HeaderGetter, charge?: boolean): Decision;
  /** The reply headers every paywalled reply carries: gateway, receiver, contract, token, price. */
  baseHeaders(price: bigint): Record<string, string>;
}

export function createPaywall(manager: ReceiverManager, gatewayPath: string): Paywall {
  // The addresses never change for a manager: checksum them once rather than on every request
  // (three Keccak-256 per reply otherwise, measurable at thousands of requests per second).
  const fixed = encodeReplyHeaders({ gatewayPath, receiver: manager.receiver, contract: manager.contract, token: manager.token, price: 0n });

  const baseHeaders = (price: bigint): Record<string, string> => ({ ...fixed, [HEADER.price]: price.toString() });

  function decide(priceOrThunk: bigint | (() => bigint), get: HeaderGetter, charge = true): Decision {
    // Step 1. Checked before anything else: while it cannot read its chain the receiver could not
    // dispute a close, so it must not take payments, and it must not ask for one (402) either.
    const health = manager.health();
    if (!health.ok) return { kind: 'unavailable', status: 502, reason: `${health.reason}: ${health.detail}` };

    const price = typeof priceOrThunk === 'function' ? priceOrThunk() : priceOrThunk;
    const headers = baseHeaders(price);
    // Step 2.
    if (price === 0n) return { kind: 'free', status: 200, headers };

    // Step 3. The parser orders its own checks so that every 409 precedes the 402.
    let parsed: PaymentHeaders;
    try {
      parsed = parsePaymentHeaders(get);
    } catch (err) {
      if (!(err instanceof HeaderError)) throw err;
      if (err.status === 409) return { kind: 'malformed', status: 409, reason: err.message, headers };
      return withFlag(headers, 'RDN-Invalid-Balance-Proof', err.message);
    }

    // Step 4.
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    if (parsed.kind === 'none') return { kind: 'payment-required', status: 402, reason: 'payment required', flag: null, headers };
    // Stryker disable next-line StringLiteral: wording (the SPEC fixes status and flag, not text)
    if (!charge) return { kind: 'payment-required', status: 402, reason: 'HEAD requests are never charged; send GET with the proof', flag: null, headers };

    // Steps 5–10. RDN-Payment (parsed.payment) is informational (§3.1): the amount that counts is
    // new balance − registered balance, which the manager computes; it is deliberately ignored.
    const outcome = manager.pay(
      {
        sender: parsed.sender,
        openBlock: parsed.openBlock,
        balance: parsed.balance,
        signature: parsed.signature,
        ...(parsed.receiver && { receiver: parsed.receiver }),
        ...(parsed.contract && { contract: parsed.contract }),
      },
      price,
    );
    headers[HEADER.sender] = parsed.sender;
    if (outcome.accepted) {
      headers[HEADER.senderBalance] = outcome.balance.toString();
      headers[HEADER.balanceSignature] = parsed.signature;
      headers[HEADER.cost] = outcome.cost.toString();
      return { kind: 'paid', status: 200, headers, balance: outcome.balance, cost: outcome.cost };
    }
    // Step 8: the last registered proof lets an honest client that lost its state resynchronise.
    if (outcome.last) {
      headers[HEADER.senderBalance] = outcome.last.balance.toString();
      headers[HEADER.balanceSignature] = outcome.last.signature;
    }
    return outcome.flag
      ? withFlag(headers, outcome.flag, outcome.reason)
      : { kind: 'payment-required', status: 402, reason: outcome.reason, flag: null, headers };
  }

  return { manager, gatewayPath, decide, baseHeaders };
}

function withFlag(headers: Record<string, string>, flag: ErrorFlag, reason: string): Decision {
  headers[flag] = '1';
  return { kind: 'payment-required', status: 402, reason, flag, headers };
}
