/**
 * Errors of the sender's client. Two families, because a program (and the CLI's exit code) must
 * tell them apart:
 *
 * - a *refusal* (`SenderRefusal`): the client decided not to pay, or the server refused what it
 *   was given — a policy limit, a protocol answer. Retrying the same thing will not help.
 * - anything else (`SenderFailure` and plain errors from ethers or fetch): something broke.
 *
 * Each error carries the values that made it, so a test asserts on them and a user reads them.
 */
import { UraidenError } from '../../protocol/errors.js';
import type { ErrorFlag } from '../../protocol/headers.js';

/** The client chose not to pay, or the other side refused; see `code`. */
export class SenderRefusal extends UraidenError {}

/** Something failed (file, chain, network); the operation may succeed later. */
export class SenderFailure extends UraidenError {}

/** The 402 asked for more than `maxPrice` allows for one request. */
export class PriceAboveCapError extends SenderRefusal {
  readonly price: bigint;
  readonly cap: bigint;
  readonly url: string;
  constructor(url: string, price: bigint, cap: bigint) {
    super('PRICE_ABOVE_CAP', `${url} costs ${price}, above the cap of ${cap} per request`);
    this.url = url;
    this.price = price;
    this.cap = cap;
  }
}

/** The 402 named a receiver outside `allowedReceivers`. */
export class ReceiverNotAllowedError extends SenderRefusal {
  readonly receiver: string;
  readonly allowed: readonly string[];
  constructor(receiver: string, allowed: readonly string[]) {
    super('RECEIVER_NOT_ALLOWED', `receiver ${receiver} is not one of the allowed receivers (${allowed.join(', ') || 'none'})`);
    this.receiver = receiver;
    this.allowed = allowed;
  }
}

/** The 402 named a contract (or token) other than the client's: paying there would be paying nobody. */
export class ContractMismatchError extends SenderRefusal {
  readonly field: 'contract' | 'token';
  readonly offered: string;
  readonly expected: string;
  constructor(field: 'contract' | 'token', offered: string, expected: string) {
    super('CONTRACT_MISMATCH', `the server asks for payment on ${field} ${offered}, this client uses ${expected}`);
    this.field = field;
    this.offered = offered;
    this.expected = expected;
  }
}

/** Paying `price` would take the client's spending past `maxTotalSpend`. */
export class BudgetExceededError extends SenderRefusal {
  readonly spent: bigint;
  readonly price: bigint;
  readonly budget: bigint;
  constructor(spent: bigint, price: bigint, budget: bigint) {
    super('BUDGET_EXCEEDED', `paying ${price} would bring the spending to ${spent + price}, above the budget of ${budget} (spent ${spent})`);
    this.spent = spent;
    this.price = price;
    this.budget = budget;
  }
}

/** The server answered a payment with a 402 the client cannot fix by waiting or resynchronising. */
export class PaymentRefusedError extends SenderRefusal {
  readonly url: string;
  readonly status: number;
  /** the §3.1 error flag of the last answer, null when it carried none */
  readonly flag: ErrorFlag | null;
  readonly balance: bigint;
  constructor(url: string, status: number, flag: ErrorFlag | null, balance: bigint, detail: string) {
    super('PAYMENT_REFUSED', `${url}: the server refused a proof for balance ${balance} (${status}${flag ? ` ${flag}` : ''}): ${detail}`);
    this.url = url;
    this.status = status;
    this.flag = flag;
    this.balance = balance;
  }
}

/** The server kept answering Insufficient-Confirmations (or did not see a fresh deposit) past the retry bound. */
export class ConfirmationsTimeoutError extends SenderRefusal {
  readonly url: string;
  readonly attempts: number;
  readonly waitedMs: number;
  readonly flag: ErrorFlag | null;
  constructor(url: string, attempts: number, waitedMs: number, flag: ErrorFlag | null) {
    super(
      'CONFIRMATIONS_TIMEOUT',
      `${url}: the server still does not accept the channel's deposit after ${attempts} retries over ${waitedMs} ms (last answer: ${flag ?? 'plain 402'})`,
    );
    this.url = url;
    this.attempts = attempts;
    this.waitedMs = waitedMs;
    this.flag = flag;
  }
}

/** The sender holds fewer tokens than a deposit needs; checked before any transaction is sent. */
export class InsufficientTokensError extends SenderRefusal {
  readonly needed: bigint;
  readonly available: bigint;
  constructor(needed: bigint, available: bigint) {
    super('INSUFFICIENT_TOKENS', `a deposit of ${needed} needs ${needed} tokens, the sender holds ${available}`);
    this.needed = needed;
    this.available = available;
  }
}

/** A deposit that would take one channel past the contract's per-channel limit (§2), which reverts. */
export class DepositLimitError extends SenderRefusal {
  readonly total: bigint;
  readonly limit: bigint;
  constructor(total: bigint, limit: bigint) {
    super('DEPOSIT_LIMIT', `a channel deposit of ${total} exceeds the contract's limit of ${limit}`);
    this.total = total;
    this.limit = limit;
  }
}

/** §3.3: a balance above the deposit is never signed (the contract could not pay it out). */
export class BalanceAboveDepositError extends SenderRefusal {
  readonly balance: bigint;
  readonly deposit: bigint;
  constructor(balance: bigint, deposit: bigint) {
    super('BALANCE_ABOVE_DEPOSIT', `refusing to sign a balance of ${balance} above the deposit of ${deposit}`);
    this.balance = balance;
    this.deposit = deposit;
  }
}

/** No channel of this sender to `receiver` opened at `openBlock` (in the store or on chain). */
export class UnknownChannelError extends SenderRefusal {
  readonly receiver: string;
  readonly openBlock: number;
  constructor(receiver: string, openBlock: number) {
    super('UNKNOWN_CHANNEL', `no channel to ${receiver} opened at block ${openBlock}`);
    this.receiver = receiver;
    this.openBlock = openBlock;
  }
}

/** An operation that needs another channel state (top up a closing channel, settle an open one…). */
export class ChannelStateError extends SenderRefusal {
  readonly state: string;
  readonly operation: string;
  constructor(operation: string, state: string, detail = '') {
    super('CHANNEL_STATE', `cannot ${operation} a channel that is ${state}${detail ? `: ${detail}` : ''}`);
    this.operation = operation;
    this.state = state;
  }
}

/** `settle` before block.number > settle_block: the contract would revert. */
export class ChallengePeriodError extends SenderRefusal {
  readonly settleBlock: number;
  readonly head: number;
  constructor(settleBlock: number, head: number) {
    super('CHALLENGE_PERIOD', `the challenge period ends after block ${settleBlock}; the chain is at ${head}`);
    this.settleBlock = settleBlock;
    this.head = head;
  }
}

/** The receiver's REST API refused the cooperative close (§5 DELETE answered 400/404…). */
export class CloseRefusedError extends SenderRefusal {
  readonly status: number;
  readonly reason: string;
  readonly balance: bigint;
  constructor(status: number, reason: string, balance: bigint) {
    super('CLOSE_REFUSED', `the receiver refused a cooperative close at balance ${balance} (${status}): ${reason}`);
    this.status = status;
    this.reason = reason;
    this.balance = balance;
  }
}

/** The closing signature the receiver returned is not the receiver's for this channel and balance. */
export class InvalidClosingSignatureError extends SenderRefusal {
  readonly signature: string;
  readonly signer: string | undefined;
  readonly receiver: string;
  constructor(signature: string, signer: string | undefined, receiver: string) {
    super('INVALID_CLOSING_SIGNATURE', `closing signature ${signature} is signed by ${signer ?? 'nobody (unparseable)'}, not by the receiver ${receiver}`);
    this.signature = signature;
    this.signer = signer;
    this.receiver = receiver;
  }
}

/** The store file cannot be read, parsed or written. */
export class StoreError extends SenderFailure {
  readonly path: string;
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super('STORE', `sender store ${path}: ${reason}`, options);
    this.path = path;
  }
}

/** The JSON-RPC endpoint did not answer, or answered for another chain than the store's. */
export class ChainAccessError extends SenderFailure {
  readonly url: string;
  constructor(url: string, reason: string, options?: ErrorOptions) {
    super('CHAIN_ACCESS', `chain at ${url}: ${reason}`, options);
    this.url = url;
  }
}

/** A transaction reverted or could not be sent. */
export class SenderTransactionError extends SenderFailure {
  readonly action: string;
  constructor(action: string, reason: string, options?: ErrorOptions) {
    super('TRANSACTION_FAILED', `${action} failed: ${reason}`, options);
    this.action = action;
  }
}
