/**
 * `client.fetch(url, init)`: fetch, plus the §3.3 session when the answer is a µRaiden 402.
 *
 *   GET → 402 (price p, receiver r)
 *     → policy checks (contract, receiver, price cap, budget)
 *     → a channel to r that covers p: the current one, topped up, or a new one
 *     → sign balance + p, retry with the payment headers
 *     → 200: store the new balance, return the response
 *     → 402 + Insufficient-Confirmations: back off (bounded) and send the same proof again
 *     → 402 + Invalid-Amount: adopt the server's balance if its proof is ours, sign again (bounded)
 *     → other 402s: wait if this client just raised the deposit, else refuse
 *
 * A response that is not a 402, or a 402 without a price and a receiver, is returned untouched.
 * Paid attempts of one client run one at a time (the client's lock): a balance is a counter, and
 * two requests signing the same next value would make the server refuse one of them.
 */
import type { Address, Hex } from '../../protocol/types.js';
import { sameAddress } from '../../protocol/address.js';
import {
  encodePaymentHeaders,
  type ErrorFlag,
  fetchHeaders,
  GATEWAY_PATH,
  HEADER,
  parseReplyHeaders,
  type ParsedReplyHeaders,
} from '../../protocol/headers.js';
import { channelInfo, type ChainConnection } from './chain.js';
import { chooseChannel, isOwnProof } from './channels.js';
import { BudgetExceededError, ConfirmationsTimeoutError, PaymentRefusedError } from './errors.js';
import { amountFor, checkOffer, offerFrom, type DepositMethod, type Offer, type PaymentPolicy } from './policy.js';
import type { AccountState, StoredChannel } from './store.js';
import { backoff, type RetryPolicy } from './wait.js';

/** What one paid request cost, on which channel. */
export interface LastPayment {
  url: string;
  receiver: Address;
  openBlock: number;
  price: bigint;
  /** the channel's balance after it */
  balance: bigint;
}

/**
 * What paying needs from the client that pays (SenderClient implements it): its identity and
 * policy, its store, and the operations that must run under its lock (the `…Unlocked` ones).
 */
export interface PayingClient {
  readonly address: Address;
  readonly contract: Address;
  readonly token: Address;
  readonly conn: ChainConnection;
  readonly policy: PaymentPolicy;
  readonly retry: RetryPolicy;
  readonly maxResyncs: number;
  readonly spent: bigint;
  lastPayment: LastPayment | undefined;
  httpFetch: typeof fetch;
  /** Runs `fn` after every earlier locked operation of the client. */
  locked<T>(fn: () => Promise<T>): Promise<T>;
  state(): AccountState;
  save(): void;
  syncUnlocked(minBlock?: number): Promise<void>;
  signUnlocked(ch: StoredChannel, balance: bigint): Hex;
  adoptUnlocked(ch: StoredChannel, balance: bigint, signature: Hex | undefined): void;
  addSpent(price: bigint): void;
  openUnlocked(receiver: string, deposit: bigint, method: DepositMethod): Promise<StoredChannel>;
  topUpUnlocked(ch: StoredChannel, amount: bigint, method: DepositMethod): Promise<StoredChannel>;
  /** Whether this client raised the channel's deposit and no server has taken a payment on it since. */
  hasFreshDeposit(ch: StoredChannel): boolean;
  /** The receiver took a payment on the channel: its deposit is no longer fresh. */
  depositSeen(ch: StoredChannel): void;
}

export async function payingFetch(client: PayingClient, url: string, init: RequestInit | undefined): Promise<Response> {
  if (init?.body instanceof ReadableStream) {
    // A paid request is sent at least twice (unpaid, then paid): the body must be re-readable.
    throw new TypeError('client.fetch: a ReadableStream body cannot be re-sent; pass a string, bytes, FormData or URLSearchParams');
  }
  const first = await client.httpFetch(url, init);
  if (first.status !== 402) return first;
  let reply: ParsedReplyHeaders;
  try {
    reply = parseReplyHeaders(fetchHeaders(first.headers));
  } catch (err) {
    await discard(first); // a malformed µRaiden 402 (ReplyHeaderError): refused, nothing paid
    throw err;
  }
  const offer = offerFrom(url, reply);
  if (offer === undefined) return first; // a 402 of some other scheme: not ours to answer
  await discard(first);
  const gateway = new URL(reply.gatewayPath ?? GATEWAY_PATH, url).toString();
  return client.locked(() => paySession(client, url, init, offer, gateway));
}

/** The paid part of one request; runs under the client's lock. */
async function paySession(client: PayingClient, url: string, init: RequestInit | undefined, firstOffer: Offer, gateway: string): Promise<Response> {
  const ours = { contract: client.contract, token: client.token };
  let offer = firstOffer;
  checkOffer(offer, client.policy, ours, client.spent);
  await client.syncUnlocked();
  let channel = await channelFor(client, offer);

  let waits = 0;
  let waitedMs = 0;
  let resyncs = 0;
  let reopened = false;

  /** Bounded backoff while the server catches up with the chain. */
  const waitForServer = async (flag: ErrorFlag | null): Promise<void> => {
    waits += 1;
    if (waits > client.retry.attempts) throw new ConfirmationsTimeoutError(url, waits - 1, waitedMs, flag);
    waitedMs += await backoff(client.retry, { attempt: waits, reason: flag ?? 'deposit not counted yet', url });
  };
  const refuse = (status: number, flag: ErrorFlag | null, balance: bigint, detail: string): never => {
    throw new PaymentRefusedError(url, status, flag, balance, detail);
  };

  for (;;) {
    if (channel.gateway !== gateway) {
      channel.gateway = gateway; // where to ask for a cooperative close later
      client.save();
    }
    const price = offer.price;
    const balance = channel.balance + price;
    const signature = client.signUnlocked(channel, balance);
    const headers = new Headers(init?.headers);
    const payment = encodePaymentHeaders({
      sender: client.address,
      receiver: channel.receiver,
      contract: client.contract,
      openBlock: channel.openBlock,
      balance,
      signature,
      payment: price,
    });
    for (const [name, value] of Object.entries(payment)) headers.set(name, value);
    const res = await client.httpFetch(url, { ...init, headers });

    if (res.status !== 402) {
      // Served (§3.2 step 10): the server registered this proof. A failure after the payment
      // (the resource's handler, an upstream) is charged too, and says so with the balance it
      // registered; any other status (a 409 on a header it disliked) registered nothing.
      if (res.ok || registeredBalance(res) === balance) {
        client.adoptUnlocked(channel, balance, signature);
        client.addSpent(price);
        client.lastPayment = { url, receiver: channel.receiver, openBlock: channel.openBlock, price, balance };
        client.depositSeen(channel);
      }
      return res;
    }

    const reply = parseReplyHeaders(fetchHeaders(res.headers));
    await discard(res);
    const flag = reply.error ?? null;

    switch (flag) {
      case HEADER.insufficientConfirmations:
        await waitForServer(flag);
        continue;

      case HEADER.nonexistingChannel: {
        if (client.hasFreshDeposit(channel)) {
          await waitForServer(flag); // just opened: the server has not seen the event yet
          continue;
        }
        const info = await channelInfo(client.conn, channel.receiver, channel.openBlock);
        if (info !== undefined && info.settleBlock === 0) {
          await waitForServer(flag); // open on chain: the server lags behind it
          continue;
        }
        // Closed, closing or gone on chain: learn it, and (once) move to another channel.
        await client.syncUnlocked();
        if (reopened) refuse(402, flag, balance, 'the server does not know the channel, twice');
        reopened = true;
        if (channel.status === 'open') {
          // The chain says the channel is not usable but no event told us (a reorg, a gap):
          // stop using it rather than loop on it.
          channel.status = info === undefined ? 'settled' : 'closing';
          client.save();
        }
        channel = await channelFor(client, offer);
        continue;
      }

      case HEADER.invalidAmount: {
        // The server's price may have changed since the first 402 (dynamic prices).
        offer = nextOffer(offer, reply);
        checkOffer(offer, client.policy, { contract: client.contract, token: client.token }, client.spent);
        resyncs += 1;
        if (resyncs > client.maxResyncs) refuse(402, flag, balance, `still refused after ${client.maxResyncs} resynchronisations`);
        if (!resync(client, channel, reply)) {
          refuse(402, flag, balance, `the server reports balance ${reply.senderBalance ?? '(none)'} without this sender's proof of it`);
        }
        channel = await ensureCapacity(client, channel, offer);
        continue;
      }

      default: {
        // Invalid-Balance-Proof, or a plain 402 (tolerated for a balance above the confirmed
        // deposit, and for a replay). A verifiable registered proof of another balance means
        // we were behind: adopt it and sign again.
        if (reply.senderBalance !== undefined && reply.senderBalance !== channel.balance && resyncs < client.maxResyncs && resync(client, channel, reply)) {
          resyncs += 1;
          offer = nextOffer(offer, reply);
          checkOffer(offer, client.policy, ours, client.spent);
          channel = await ensureCapacity(client, channel, offer);
          continue;
        }
        if (client.hasFreshDeposit(channel)) {
          await waitForServer(flag); // a top-up the server does not count until it is confirmed
          continue;
        }
        refuse(402, flag, balance, flag === null ? 'plain 402 for a signed payment' : 'the server refused the balance proof');
      }
    }
  }
}

/** RDN-Sender-Balance of a non-402 answer, if it carries a well-formed one. */
function registeredBalance(res: Response): bigint | undefined {
  try {
    return parseReplyHeaders(fetchHeaders(res.headers)).senderBalance;
  } catch {
    return undefined; // malformed headers on an answer we return as is: no claim either way
  }
}

/** The offer of a later 402: the same receiver, maybe another price. */
function nextOffer(offer: Offer, reply: ParsedReplyHeaders): Offer {
  if (reply.price === undefined) return offer;
  if (reply.receiver !== undefined && !sameAddress(reply.receiver, offer.receiver)) return offer;
  return { ...offer, price: reply.price };
}

/**
 * §3.2 step 8: adopts the balance the server registered when, and only when, its proof is this
 * sender's own signature for that balance on this channel, receiver and contract. True when the
 * channel's balance now equals the server's.
 */
function resync(client: PayingClient, channel: StoredChannel, reply: ParsedReplyHeaders): boolean {
  const reported = reply.senderBalance;
  if (reported === undefined) return false;
  if (reply.sender !== undefined && !sameAddress(reply.sender, client.address)) return false;
  if (reported === channel.balance) return true; // nothing to adopt: the price is what changed
  if (!isOwnProof(client.address, client.contract, channel, reported, reply.balanceSignature)) return false;
  client.adoptUnlocked(channel, reported, reply.balanceSignature);
  return true;
}

/** A channel to `offer.receiver` that covers `offer.price`: chosen, topped up or opened. */
async function channelFor(client: PayingClient, offer: Offer): Promise<StoredChannel> {
  const choice = chooseChannel(client.state(), offer.receiver, offer.price, {
    initialDeposit: (p) => amountFor(client.policy.initialDeposit, p),
    topUpAmount: (p) => amountFor(client.policy.topUpAmount, p),
    depositLimit: client.conn.depositLimit,
  });
  const method = client.policy.depositMethod ?? 'erc223';
  switch (choice.action) {
    case 'pay':
      return choice.channel;
    case 'topUp':
      return client.topUpUnlocked(choice.channel, choice.amount, method);
    case 'open':
      return client.openUnlocked(offer.receiver, choice.deposit, method);
  }
}

/** After a resync the channel may no longer cover the price: top it up (or move on). */
async function ensureCapacity(client: PayingClient, channel: StoredChannel, offer: Offer): Promise<StoredChannel> {
  if (channel.balance + offer.price <= channel.deposit) return channel;
  if (client.policy.maxTotalSpend !== undefined && client.spent + offer.price > client.policy.maxTotalSpend) {
    throw new BudgetExceededError(client.spent, offer.price, client.policy.maxTotalSpend);
  }
  return channelFor(client, offer);
}

/** Frees the connection of a response whose body nobody will read. */
async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // already consumed or errored: nothing to free
  }
}
