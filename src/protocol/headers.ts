/**
 * §3.1 HTTP headers: names, and a codec for the payment headers of a request (server side) and
 * the reply headers of a paywalled resource (client side).
 *
 * Parsers take `get(name)` rather than a headers object so that one codec serves Node's
 * IncomingHttpHeaders, fetch's Headers and test fixtures; see `nodeHeaders` / `fetchHeaders`.
 */
import { toChecksumAddress } from './address.js';
import { HeaderError, type HeaderRefusal, InvalidSignatureError, ReplyHeaderError, type ReplyHeaderRefusal } from './errors.js';
import { assertUint192, assertUint32, MAX_UINT192, MAX_UINT32 } from './integers.js';
import { normalizeSignature } from './signature.js';
import type { Address, Hex } from './types.js';

export const HEADER = {
  gatewayPath: 'RDN-Gateway-Path',
  receiver: 'RDN-Receiver-Address',
  contract: 'RDN-Contract-Address',
  token: 'RDN-Token-Address',
  price: 'RDN-Price',
  sender: 'RDN-Sender-Address',
  /** The balance as the original documentation names it; also the server's "registered balance" reply. */
  senderBalance: 'RDN-Sender-Balance',
  /** The balance as the original code reads it; clients send both (§3.1). */
  balance: 'RDN-Balance',
  balanceSignature: 'RDN-Balance-Signature',
  openBlock: 'RDN-Open-Block',
  payment: 'RDN-Payment',
  cost: 'RDN-Cost',
  insufficientConfirmations: 'RDN-Insufficient-Confirmations',
  nonexistingChannel: 'RDN-Nonexisting-Channel',
  invalidBalanceProof: 'RDN-Invalid-Balance-Proof',
  invalidAmount: 'RDN-Invalid-Amount',
} as const;

/** The four error flags of a reply (§3.1), by header name (value `1`); at most one per reply. */
export const ERROR_FLAGS = [HEADER.insufficientConfirmations, HEADER.nonexistingChannel, HEADER.invalidBalanceProof, HEADER.invalidAmount] as const;
export type ErrorFlag = (typeof ERROR_FLAGS)[number];

export const GATEWAY_PATH = '/api/1';

/** Returns a header's value, or undefined when absent. Names are given as in HEADER. */
export type HeaderGetter = (name: string) => string | undefined;

/** Adapter for Node's IncomingHttpHeaders (lower-case keys; repeated headers as arrays). */
export function nodeHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderGetter {
  return (name) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/** Adapter for fetch's Headers (or anything with a case-insensitive `get` returning null). */
export function fetchHeaders(headers: { get(name: string): string | null }): HeaderGetter {
  return (name) => headers.get(name) ?? undefined;
}

/**
 * A header's value with HTTP's optional whitespace trimmed — space and horizontal tab only (RFC 9110
 * §5.5 OWS), nothing else: Node reads header bytes as latin1, where 0xA0 is a no-break space that
 * String.prototype.trim() would strip, turning `RDN-Balance: 5\xa0` into 5 where §3.1 wants decimal
 * ASCII. An empty value counts as absent, so a client that clears a header by sending it empty is not
 * treated as sending garbage.
 */
function read(get: HeaderGetter, name: string): string | undefined {
  const value = get(name)?.replace(OPTIONAL_WHITESPACE, '');
  return value === undefined || value === '' ? undefined : value;
}

const OPTIONAL_WHITESPACE = /^[ \t]+|[ \t]+$/g;

const DECIMAL_RE = /^[0-9]+$/;

/**
 * Throws the caller's error type for a refused value. The reply parser's refuser accepts a wider
 * set of reasons, so one signature serves both sides.
 */
type Refuse = (header: string, value: string, reason: HeaderRefusal) => never;

function parseAddress(header: string, value: string, refuse: Refuse): Address {
  try {
    return toChecksumAddress(value);
  } catch {
    return refuse(header, value, 'invalid-address');
  }
}

/** Decimal ASCII digits only: no sign, no '+', no hex, no exponent (§3.1). Leading zeros are decimal. */
function parseUint(header: string, value: string, max: bigint, refuse: Refuse): bigint {
  if (!DECIMAL_RE.test(value)) return refuse(header, value, 'not-decimal');
  const n = BigInt(value);
  return n > max ? refuse(header, value, 'out-of-range') : n;
}

const refuse409: Refuse = (header, value, reason) => {
  throw new HeaderError(header, value, reason, 409);
};

/** Payment headers of a request, validated. Addresses EIP-55, signature with v 27/28. */
export type PaymentHeaders =
  | { kind: 'none' }
  | {
      kind: 'payment';
      sender: Address;
      receiver?: Address;
      contract?: Address;
      openBlock: number;
      /** The new cumulative balance, from RDN-Balance or RDN-Sender-Balance. */
      balance: bigint;
      signature: Hex;
      /** RDN-Payment, the increment the client claims; informative only (§3.1). */
      payment?: bigint;
    };

/**
 * Parses a request's payment headers (§3.1, §3.2 step 3). Validation order, first failure wins:
 *  1. addresses present (contract, receiver, sender) → 409 invalid-address
 *  2. RDN-Open-Block if present: decimal, ≤ 2^32 − 1 → 409 not-decimal / out-of-range
 *  3. RDN-Balance, then RDN-Sender-Balance if present: decimal, ≤ 2^192 − 1 → 409;
 *     both present and different → 409 conflicting-balance (on RDN-Sender-Balance)
 *  4. RDN-Payment if present: decimal, ≤ 2^192 − 1 → 409
 *  5. no RDN-Balance-Signature → { kind: 'none' }
 *  6. sender, open block, balance missing (in that order) → 409 missing
 *  7. signature malformed (§1.4) → 402 invalid-signature, flag RDN-Invalid-Balance-Proof
 * So every 409 (request syntax) precedes the 402 (a proof that cannot be valid).
 */
export function parsePaymentHeaders(get: HeaderGetter): PaymentHeaders {
  const addresses: Partial<Record<'contract' | 'receiver' | 'sender', Address>> = {};
  for (const key of ['contract', 'receiver', 'sender'] as const) {
    const value = read(get, HEADER[key]);
    if (value !== undefined) addresses[key] = parseAddress(HEADER[key], value, refuse409);
  }

  const openBlockText = read(get, HEADER.openBlock);
  const openBlock = openBlockText === undefined ? undefined : Number(parseUint(HEADER.openBlock, openBlockText, MAX_UINT32, refuse409));

  const balanceText = read(get, HEADER.balance);
  const senderBalanceText = read(get, HEADER.senderBalance);
  const balance = balanceText === undefined ? undefined : parseUint(HEADER.balance, balanceText, MAX_UINT192, refuse409);
  const senderBalance = senderBalanceText === undefined ? undefined : parseUint(HEADER.senderBalance, senderBalanceText, MAX_UINT192, refuse409);
  if (balance !== undefined && senderBalance !== undefined && balance !== senderBalance) {
    refuse409(HEADER.senderBalance, senderBalanceText!, 'conflicting-balance');
  }

  const paymentText = read(get, HEADER.payment);
  const payment = paymentText === undefined ? undefined : parseUint(HEADER.payment, paymentText, MAX_UINT192, refuse409);

  const signatureText = read(get, HEADER.balanceSignature);
  if (signatureText === undefined) return { kind: 'none' };

  const newBalance = balance ?? senderBalance;
  if (addresses.sender === undefined) throw new HeaderError(HEADER.sender, undefined, 'missing', 409);
  if (openBlock === undefined) throw new HeaderError(HEADER.openBlock, undefined, 'missing', 409);
  if (newBalance === undefined) throw new HeaderError(HEADER.balance, undefined, 'missing', 409);

  let signature: Hex;
  try {
    signature = normalizeSignature(signatureText);
  } catch (err) {
    if (!(err instanceof InvalidSignatureError)) throw err;
    throw new HeaderError(HEADER.balanceSignature, signatureText, 'invalid-signature', 402, { cause: err });
  }

  return {
    kind: 'payment',
    sender: addresses.sender,
    ...(addresses.receiver && { receiver: addresses.receiver }),
    ...(addresses.contract && { contract: addresses.contract }),
    openBlock,
    balance: newBalance,
    signature,
    ...(payment !== undefined && { payment }),
  };
}

export interface PaymentRequest {
  sender: string;
  receiver: string;
  contract: string;
  openBlock: number;
  /** New cumulative balance. */
  balance: bigint;
  signature: string;
  /** The increment paid by this request, sent as RDN-Payment when given. */
  payment?: bigint;
}

/**
 * Client side: the payment headers of a request. Sends both RDN-Balance and RDN-Sender-Balance
 * (§3.1), EIP-55 addresses and the signature with v 27/28. Validates everything it encodes.
 */
export function encodePaymentHeaders(p: PaymentRequest): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER.contract]: toChecksumAddress(p.contract),
    [HEADER.receiver]: toChecksumAddress(p.receiver),
    [HEADER.sender]: toChecksumAddress(p.sender),
    [HEADER.openBlock]: String(assertUint32('openBlock', p.openBlock)),
    [HEADER.balance]: String(assertUint192('balance', p.balance)),
    [HEADER.senderBalance]: String(assertUint192('balance', p.balance)),
    [HEADER.balanceSignature]: normalizeSignature(p.signature),
  };
  if (p.payment !== undefined) headers[HEADER.payment] = String(assertUint192('payment', p.payment));
  return headers;
}

/** Reply headers of a paywalled resource (§3.1), as a server sends them. */
export interface ReplyHeaders {
  /** Defaults to GATEWAY_PATH. */
  gatewayPath?: string;
  receiver: string;
  contract: string;
  token: string;
  price: bigint;
  sender?: string;
  /** The last balance the receiver registered for the channel. */
  senderBalance?: bigint;
  balanceSignature?: string;
  /** What this request was charged (on 200). */
  cost?: bigint;
  error?: ErrorFlag;
}

export function encodeReplyHeaders(r: ReplyHeaders): Record<string, string> {
  const headers: Record<string, string> = {
    [HEADER.gatewayPath]: r.gatewayPath ?? GATEWAY_PATH,
    [HEADER.receiver]: toChecksumAddress(r.receiver),
    [HEADER.contract]: toChecksumAddress(r.contract),
    [HEADER.token]: toChecksumAddress(r.token),
    [HEADER.price]: String(assertUint192('price', r.price)),
  };
  if (r.sender !== undefined) headers[HEADER.sender] = toChecksumAddress(r.sender);
  if (r.senderBalance !== undefined) headers[HEADER.senderBalance] = String(assertUint192('senderBalance', r.senderBalance));
  if (r.balanceSignature !== undefined) headers[HEADER.balanceSignature] = normalizeSignature(r.balanceSignature);
  if (r.cost !== undefined) headers[HEADER.cost] = String(assertUint192('cost', r.cost));
  if (r.error !== undefined) headers[r.error] = '1';
  return headers;
}

/** Reply headers as a client sees them: everything may be missing (a 502, a plain server). */
export interface ParsedReplyHeaders {
  gatewayPath?: string;
  receiver?: Address;
  contract?: Address;
  token?: Address;
  price?: bigint;
  sender?: Address;
  senderBalance?: bigint;
  balanceSignature?: Hex;
  cost?: bigint;
  error?: ErrorFlag;
}

const refuseReply = (header: string, value: string, reason: ReplyHeaderRefusal): never => {
  throw new ReplyHeaderError(header, value, reason);
};

/**
 * Client side: parses a server's reply headers. Throws ReplyHeaderError for a malformed value, a
 * flag whose value is not `1`, or more than one flag (§3.1 allows at most one).
 */
export function parseReplyHeaders(get: HeaderGetter): ParsedReplyHeaders {
  const out: ParsedReplyHeaders = {};
  const gatewayPath = read(get, HEADER.gatewayPath);
  if (gatewayPath !== undefined) out.gatewayPath = gatewayPath;
  for (const key of ['receiver', 'contract', 'token', 'sender'] as const) {
    const value = read(get, HEADER[key]);
    if (value !== undefined) out[key] = parseAddress(HEADER[key], value, refuseReply);
  }
  for (const key of ['price', 'senderBalance', 'cost'] as const) {
    const value = read(get, HEADER[key]);
    if (value !== undefined) out[key] = parseUint(HEADER[key], value, MAX_UINT192, refuseReply);
  }
  const signature = read(get, HEADER.balanceSignature);
  if (signature !== undefined) {
    try {
      out.balanceSignature = normalizeSignature(signature);
    } catch (err) {
      if (!(err instanceof InvalidSignatureError)) throw err;
      throw new ReplyHeaderError(HEADER.balanceSignature, signature, 'invalid-signature', { cause: err });
    }
  }
  for (const flag of ERROR_FLAGS) {
    const value = read(get, flag);
    if (value === undefined) continue;
    if (value !== '1') refuseReply(flag, value, 'invalid-flag');
    if (out.error !== undefined) refuseReply(flag, value, 'multiple-error-flags');
    out.error = flag;
  }
  return out;
}
