/**
 * Errors of the browser client (`uraiden-kit/browser`). Like every layer's, each has a stable
 * `code` and carries the values that made it, so the paywall page can put it in words and a test
 * can assert on it. Refusals mirror the Node sender's (same codes): the browser refuses what it
 * refuses — a price above the cap, a receiver not allowed, a balance above the deposit (§3.3).
 */
import { UraidenError } from '../protocol/errors.js';

/** No EIP-1193 wallet in this browser (no `window.ethereum`, no EIP-6963 announcement). */
export class NoWalletError extends UraidenError {
  constructor() {
    super('NO_WALLET', 'no Ethereum wallet found in this browser (no window.ethereum, no EIP-6963 announcement)');
  }
}

/** The person declined a request in the wallet (EIP-1193 error 4001). Nothing was signed or sent. */
export class WalletRejectedError extends UraidenError {
  readonly method: string;
  constructor(method: string, options?: ErrorOptions) {
    super('WALLET_REJECTED', `the wallet declined ${method}`, options);
    this.method = method;
  }
}

/** Any other error a wallet (or the node behind it) answered; `walletCode` is its EIP-1193 / JSON-RPC code. */
export class WalletRequestError extends UraidenError {
  readonly method: string;
  readonly walletCode: number | undefined;
  constructor(method: string, walletCode: number | undefined, reason: string, options?: ErrorOptions) {
    super('WALLET_ERROR', `${method} failed${walletCode === undefined ? '' : ` (${walletCode})`}: ${reason}`, options);
    this.method = method;
    this.walletCode = walletCode;
  }
}

/** The wallet is connected to another chain than the receiver's contract. */
export class WrongChainError extends UraidenError {
  readonly walletChainId: number;
  readonly expectedChainId: number;
  constructor(walletChainId: number, expectedChainId: number) {
    super('WRONG_CHAIN', `the wallet is on chain ${walletChainId}; the receiver's channels are on chain ${expectedChainId}`);
    this.walletChainId = walletChainId;
    this.expectedChainId = expectedChainId;
  }
}

/**
 * The wallet returned a signature that is not the account's over the µRaiden v1 typed data (§1.2,
 * §1.3): it hashed something else, so the receiver (and the contract) would refuse the proof.
 */
export class WalletSignatureMismatchError extends UraidenError {
  readonly signer: string | undefined;
  readonly account: string;
  constructor(signer: string | undefined, account: string) {
    super(
      'WALLET_SIGNATURE_MISMATCH',
      `the wallet's signature recovers to ${signer ?? 'no address'}, not to ${account}: does it support eth_signTypedData (v1)?`,
    );
    this.signer = signer;
    this.account = account;
  }
}

/** The page asks for more than the client's cap for one request. */
export class PriceAboveCapError extends UraidenError {
  readonly price: bigint;
  readonly cap: bigint;
  constructor(price: bigint, cap: bigint) {
    super('PRICE_ABOVE_CAP', `the price ${price} is above the cap of ${cap} per request`);
    this.price = price;
    this.cap = cap;
  }
}

/** The 402 names a receiver the client was not told to pay. */
export class ReceiverNotAllowedError extends UraidenError {
  readonly receiver: string;
  readonly allowed: readonly string[];
  constructor(receiver: string, allowed: readonly string[]) {
    super('RECEIVER_NOT_ALLOWED', `receiver ${receiver} is not among the allowed ones (${allowed.join(', ') || 'none'})`);
    this.receiver = receiver;
    this.allowed = allowed;
  }
}

/** §3.3: the new balance would pass the channel's deposit; a top-up is needed first. */
export class BalanceAboveDepositError extends UraidenError {
  readonly balance: bigint;
  readonly deposit: bigint;
  constructor(balance: bigint, deposit: bigint) {
    super('BALANCE_ABOVE_DEPOSIT', `a balance of ${balance} would be above the channel's deposit of ${deposit}`);
    this.balance = balance;
    this.deposit = deposit;
  }
}

/** The account holds fewer tokens than a deposit or top-up needs (checked before any transaction). */
export class InsufficientTokensError extends UraidenError {
  readonly needed: bigint;
  readonly available: bigint;
  constructor(needed: bigint, available: bigint) {
    super('INSUFFICIENT_TOKENS', `${needed} tokens needed, the account holds ${available}`);
    this.needed = needed;
    this.available = available;
  }
}

/** No channel of this account to the receiver in the browser's storage or on chain. */
export class NoChannelError extends UraidenError {
  readonly account: string;
  readonly receiver: string;
  constructor(account: string, receiver: string) {
    super('NO_CHANNEL', `no open channel from ${account} to ${receiver}`);
    this.account = account;
    this.receiver = receiver;
  }
}

/** An operation the channel's state does not allow (pay on a closing channel, settle an open one). */
export class ChannelStateError extends UraidenError {
  readonly operation: string;
  readonly state: string;
  constructor(operation: string, state: string) {
    super('CHANNEL_STATE', `cannot ${operation}: the channel is ${state}`);
    this.operation = operation;
    this.state = state;
  }
}

/** `settle` before the challenge period is over (the contract would revert). */
export class ChallengePeriodError extends UraidenError {
  readonly settleBlock: number;
  readonly head: number;
  constructor(settleBlock: number, head: number) {
    super('CHALLENGE_PERIOD', `the channel can be settled after block ${settleBlock}; the chain is at block ${head}`);
    this.settleBlock = settleBlock;
    this.head = head;
  }
}

/** The receiver's REST API answered the cooperative close (§5 DELETE) with an error. */
export class CloseRefusedError extends UraidenError {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string) {
    super('CLOSE_REFUSED', `the receiver refused to close the channel (${status}): ${reason}`);
    this.status = status;
    this.reason = reason;
  }
}

/** The closing signature from the receiver is not the receiver's (§1.3), so the contract would refuse it. */
export class InvalidClosingSignatureError extends UraidenError {
  readonly signer: string | undefined;
  readonly receiver: string;
  constructor(signer: string | undefined, receiver: string) {
    super('INVALID_CLOSING_SIGNATURE', `the closing signature is signed by ${signer ?? 'nobody'}, not by the receiver ${receiver}`);
    this.signer = signer;
    this.receiver = receiver;
  }
}

/** A transaction reverted (status 0). */
export class TransactionFailedError extends UraidenError {
  readonly action: string;
  readonly hash: string;
  constructor(action: string, hash: string) {
    super('TRANSACTION_FAILED', `${action} failed on chain (transaction ${hash} reverted)`);
    this.action = action;
    this.hash = hash;
  }
}

/** The receiver's REST API could not be read (GET /stats for sync_block). */
export class GatewayError extends UraidenError {
  readonly url: string;
  readonly status: number | undefined;
  constructor(url: string, status: number | undefined, reason: string) {
    super('GATEWAY', `${url}: ${reason}`);
    this.url = url;
    this.status = status;
  }
}
