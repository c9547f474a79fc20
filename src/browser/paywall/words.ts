/** Amounts and errors in words a person reads on the paywall page. */
import { UraidenError } from '../../protocol/index.js';
import {
  BalanceAboveDepositError,
  ChallengePeriodError,
  CloseRefusedError,
  InsufficientTokensError,
  PriceAboveCapError,
  TransactionFailedError,
  WalletRejectedError,
  WalletSignatureMismatchError,
  WrongChainError,
} from '../errors.js';

export interface TokenView {
  symbol: string;
  decimals: number;
}

/**
 * An amount of base units in words: from 0.0001 token up as tokens, exact ("999.99999999999999995
 * UKT"), below that as units ("5 UKT units"), since µRaiden prices are often a few base units of
 * an 18-decimals token.
 */
export function amount(value: bigint, token: TokenView): string {
  if (token.decimals === 0) return `${value} ${token.symbol}`;
  const unit = 10n ** BigInt(token.decimals);
  if (value === 0n || value * 10_000n < unit) return `${value} ${token.symbol} units`;
  const fraction = (value % unit).toString().padStart(token.decimals, '0').replace(/0+$/, '');
  return `${value / unit}${fraction ? `.${fraction}` : ''} ${token.symbol}`;
}

/** An error as one sentence; `action` says what was being done ("open the channel"). */
export function explain(err: unknown, action: string, token: TokenView): string {
  if (err instanceof WalletRejectedError) return `You declined the request in your wallet, so nothing was done (${action}).`;
  if (err instanceof WrongChainError)
    return `Your wallet is on another network (chain ${err.walletChainId}); this site's payment channels are on chain ${err.expectedChainId}. Switch the network in your wallet.`;
  if (err instanceof BalanceAboveDepositError)
    return `Your channel holds ${amount(err.deposit, token)} in total and this payment would bring the spent amount to ${amount(err.balance, token)}. Top up the channel to continue.`;
  if (err instanceof InsufficientTokensError) return `Your wallet holds ${amount(err.available, token)}; this needs ${amount(err.needed, token)}.`;
  if (err instanceof PriceAboveCapError) return `This page costs ${amount(err.price, token)}, more than the ${amount(err.cap, token)} you allow per page.`;
  if (err instanceof WalletSignatureMismatchError)
    return 'Your wallet signed something other than the payment it was shown, so the receiver would refuse it. Your wallet may not support eth_signTypedData (v1).';
  if (err instanceof CloseRefusedError) return `The receiver did not agree to close the channel: ${err.reason}. You can close it without the receiver.`;
  if (err instanceof ChallengePeriodError) return `The channel can be settled after block ${err.settleBlock}; the chain is at block ${err.head}.`;
  if (err instanceof TransactionFailedError) return `The transaction to ${err.action} was reverted on chain (${err.hash}).`;
  if (err instanceof UraidenError) return `Could not ${action}: ${err.message}.`;
  return `Could not ${action}: ${err instanceof Error ? err.message : String(err)}.`;
}
