/**
 * What a sender agrees to pay, checked on every 402 before anything is signed or sent (§3.3:
 * clients MUST cap the price they accept).
 */
import { sameAddress } from '../../protocol/address.js';
import type { Address, ParsedReplyHeaders } from '../../protocol/index.js';
import { BudgetExceededError, ContractMismatchError, PriceAboveCapError, ReceiverNotAllowedError } from './errors.js';

export type Amount = bigint | ((price: bigint) => bigint);

export interface PaymentPolicy {
  /** highest price accepted for one request; default DEFAULT_MAX_PRICE (a cap is never absent) */
  maxPrice?: bigint;
  /** highest total of prices paid by one client object (its lifetime, not the store's); default none */
  maxTotalSpend?: bigint;
  /** receivers this client pays; default any */
  allowedReceivers?: readonly string[];
  /** deposit of a new channel, or a function of the price; default 10 × price. At least the price. */
  initialDeposit?: Amount;
  /** deposit added when a channel cannot cover a price; default 10 × price. At least what is missing. */
  topUpAmount?: Amount;
  /** how deposits reach the contract: one ERC223 transfer (default) or ERC20 approve + call */
  depositMethod?: DepositMethod;
}

export type DepositMethod = 'erc223' | 'approve';

/** One token of 18 decimals. */
export const DEFAULT_MAX_PRICE = 10n ** 18n;
export const DEFAULT_DEPOSIT_FACTOR = 10n;

export function amountFor(amount: Amount | undefined, price: bigint): bigint {
  if (amount === undefined) return price * DEFAULT_DEPOSIT_FACTOR;
  return typeof amount === 'function' ? amount(price) : amount;
}

/** The payment request as the client reads it from a 402. */
export interface Offer {
  url: string;
  price: bigint;
  receiver: Address;
  contract?: Address;
  token?: Address;
}

/** A 402 is a µRaiden offer when it names at least a price and a receiver. */
export function offerFrom(url: string, reply: ParsedReplyHeaders): Offer | undefined {
  if (reply.price === undefined || reply.receiver === undefined) return undefined;
  return {
    url,
    price: reply.price,
    receiver: reply.receiver,
    ...(reply.contract && { contract: reply.contract }),
    ...(reply.token && { token: reply.token }),
  };
}

/**
 * Refuses an offer the policy does not allow, in this order: another contract or token (paying
 * there would pay nobody this client can close against), a receiver not allowed, a price above
 * the cap, the budget.
 */
export function checkOffer(offer: Offer, policy: PaymentPolicy, ours: { contract: Address; token: Address }, spent: bigint): void {
  if (offer.contract !== undefined && !sameAddress(offer.contract, ours.contract)) throw new ContractMismatchError('contract', offer.contract, ours.contract);
  if (offer.token !== undefined && !sameAddress(offer.token, ours.token)) throw new ContractMismatchError('token', offer.token, ours.token);
  const allowed = policy.allowedReceivers;
  if (allowed !== undefined && !allowed.some((r) => sameAddress(r, offer.receiver))) throw new ReceiverNotAllowedError(offer.receiver, allowed);
  const cap = policy.maxPrice ?? DEFAULT_MAX_PRICE;
  if (offer.price > cap) throw new PriceAboveCapError(offer.url, offer.price, cap);
  if (policy.maxTotalSpend !== undefined && spent + offer.price > policy.maxTotalSpend) throw new BudgetExceededError(spent, offer.price, policy.maxTotalSpend);
}
