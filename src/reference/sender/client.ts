/**
 * The sender's client: one key, one chain, one contract. It rebuilds its channels from the
 * contract's events, keeps balances and proofs in the local store, opens / tops up / closes /
 * settles channels, and pays for HTTP resources (`client.fetch`, see fetch.ts).
 *
 * Everything that changes the store or sends a transaction runs under one per-client lock: the
 * kit chain instamines eagerly, so transactions of one account must go out one at a time, and a
 * balance must be read, signed and written back by one operation at a time.
 */
import type { AbstractProvider } from 'ethers';
import { sameAddress, toChecksumAddress } from '../../protocol/address.js';
import { channelKey, encodeOpenData, encodeTopUpData } from '../../protocol/messages.js';
import { recoverClosingSigner } from '../../protocol/signature.js';
import type { Address, Hex } from '../../protocol/types.js';
import { CHANNEL_EVENT_TOPICS } from '../../protocol/events.js';
import { connectChain, fetchChannelEvents, sendTransaction, tokenBalance, type ChainConnection, type ContractInfo } from './chain.js';
import { applyEvents, findChannel, signBalance } from './channels.js';
import {
  ChallengePeriodError,
  ChannelStateError,
  DepositLimitError,
  InsufficientTokensError,
  InvalidClosingSignatureError,
  SenderRefusal,
  SenderTransactionError,
  UnknownChannelError,
} from './errors.js';
import { payingFetch, type LastPayment, type PayingClient } from './fetch.js';
import type { DepositMethod, PaymentPolicy } from './policy.js';
import { requestClosingSignature } from './rest.js';
import { defaultStorePath, loadAccount, saveAccount, storeKey, type AccountState, type StoredChannel } from './store.js';
import { DEFAULT_RETRY, type RetryPolicy } from './wait.js';

export interface SenderClientOptions {
  /** the sender's key (0x + 64 hex digits); never logged */
  privateKey: Hex;
  /** JSON-RPC endpoint; or `provider` */
  rpcUrl?: string;
  /** an ethers provider to use instead of `rpcUrl` (e.g. the kit chain's in-process one) */
  provider?: AbstractProvider;
  /** the RaidenMicroTransferChannels address; the token is read from it */
  contract: string;
  /** the store file; default defaultStorePath() */
  storePath?: string;
  /** fsync every store write (default true); see WriteOptions.sync */
  storeSync?: boolean;
  /** first block to scan for this sender's events in a fresh store (the contract's deployment block) */
  fromBlock?: number;
  policy?: PaymentPolicy;
  /** waiting for a server to see a deposit (Insufficient-Confirmations and friends) */
  retry?: Partial<RetryPolicy>;
  /** how many times one request may resynchronise its balance with the server (§3.2 step 8); default 3 */
  maxResyncs?: number;
  /** the fetch used for HTTP; default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * What another client already read about this chain and contract (`client.contractInfo`):
   * connecting then asks the chain nothing (a simulation creating a thousand clients).
   */
  contractInfo?: ContractInfo;
}

export interface OpenOptions {
  method?: DepositMethod;
}

export interface CloseResult {
  receiver: Address;
  openBlock: number;
  balance: bigint;
  txHash: string;
  blockNumber: number;
}

export interface CooperativeCloseResult extends CloseResult {
  closeSignature: Hex;
}

export interface UncooperativeCloseResult extends CloseResult {
  settleBlock: number;
}

export interface SettleResult extends CloseResult {
  receiverTokens: bigint;
}

/** Blocks per eth_getLogs request when rebuilding channels from events. */
export const LOG_CHUNK_BLOCKS = 5000;

export async function createSenderClient(options: SenderClientOptions): Promise<SenderClient> {
  const conn = await connectChain({
    privateKey: options.privateKey,
    contract: options.contract,
    ...(options.rpcUrl !== undefined && { rpcUrl: options.rpcUrl }),
    ...(options.provider !== undefined && { provider: options.provider }),
    ...(options.contractInfo !== undefined && { known: options.contractInfo }),
  });
  const client = new SenderClient(conn, options);
  try {
    await client.sync();
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

export class SenderClient implements PayingClient {
  readonly address: Address;
  readonly chainId: number;
  readonly contract: Address;
  readonly token: Address;
  readonly challengePeriod: number;
  readonly storePath: string;
  readonly #storeSync: boolean;
  readonly policy: PaymentPolicy;
  readonly retry: RetryPolicy;
  readonly maxResyncs: number;
  /** The last payment `fetch` made (undefined before the first). */
  lastPayment: LastPayment | undefined;
  /** @internal the connection; exposed for fetch.ts */
  readonly conn: ChainConnection;
  /** @internal */
  readonly httpFetch: typeof fetch;
  /** channels whose deposit was raised and no server has accepted a payment on since */
  readonly #freshDeposits = new Set<string>();
  readonly #privateKey: Hex;
  readonly #storeKey: string;
  readonly #fromBlock: number;
  readonly #ownsProvider: boolean;
  #state: AccountState;
  #spent = 0n;
  #queue: Promise<unknown> = Promise.resolve();

  /** Use createSenderClient(): it connects and syncs first. */
  constructor(conn: ChainConnection, options: SenderClientOptions) {
    this.conn = conn;
    this.address = conn.sender;
    this.chainId = conn.chainId;
    this.contract = conn.contract;
    this.token = conn.token;
    this.challengePeriod = conn.challengePeriod;
    this.storePath = options.storePath ?? defaultStorePath();
    this.#storeSync = options.storeSync ?? true;
    this.policy = options.policy ?? {};
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.maxResyncs = options.maxResyncs ?? 3;
    this.httpFetch = options.fetch ?? globalThis.fetch;
    this.#privateKey = options.privateKey;
    this.#fromBlock = options.fromBlock ?? 0;
    this.#ownsProvider = options.provider === undefined;
    this.#storeKey = storeKey(conn.chainId, conn.contract, conn.sender);
    this.#state = loadAccount(this.storePath, this.#storeKey);
  }

  /**
   * Releases the provider this client created from `rpcUrl` (an injected provider is the
   * caller's to close). The store needs no closing: every write is complete when it returns.
   */
  close(): void {
    if (this.#ownsProvider) this.conn.provider.destroy();
  }

  /** What this client read about its chain and contract; give it to other clients of the same contract. */
  get contractInfo(): ContractInfo {
    const { chainId, contract, token, challengePeriod, depositLimit } = this.conn;
    return { chainId, contract, token, challengePeriod, depositLimit };
  }

  /**
   * Tells the client the deposit of one of its channels was raised outside it (say, a batch of
   * transfers): until a server accepts a payment on the channel, the client waits for the server
   * to count the deposit (its confirmations) instead of refusing to pay.
   */
  noteDeposit(receiver: string, openBlock: number): void {
    this.#freshDeposits.add(channelKey(this.address, receiver, openBlock));
  }

  /** Total of the prices this client object paid for (what `maxTotalSpend` limits). */
  get spent(): bigint {
    return this.#spent;
  }

  /** The stored channels (copies), after the last sync. */
  channels(filter: { receiver?: string; status?: StoredChannel['status'] } = {}): StoredChannel[] {
    return this.#state.channels
      .filter((c) => (filter.receiver === undefined || sameAddress(c.receiver, filter.receiver)) && (filter.status === undefined || c.status === filter.status))
      .map((c) => ({ ...c }));
  }

  channel(receiver: string, openBlock: number): StoredChannel | undefined {
    const c = findChannel(this.#state, receiver, openBlock);
    return c && { ...c };
  }

  tokenBalance(): Promise<bigint> {
    return tokenBalance(this.conn);
  }

  /** Like fetch; pays 402s per the policy. See fetch.ts. */
  fetch(input: string | URL, init?: RequestInit): Promise<Response> {
    return payingFetch(this, String(input), init);
  }

  /** Applies the chain's events since the last sync; returns the channels. */
  async sync(): Promise<StoredChannel[]> {
    await this.locked(() => this.syncUnlocked());
    return this.channels();
  }

  /** Opens a channel to `receiver` with `deposit` (ERC223 transfer by default). */
  openChannel(receiver: string, deposit: bigint, options: OpenOptions = {}): Promise<StoredChannel> {
    return this.locked(() => this.openUnlocked(receiver, deposit, options.method ?? this.policy.depositMethod ?? 'erc223'));
  }

  /** Adds `amount` to an open channel's deposit. */
  topUp(receiver: string, openBlock: number, amount: bigint, options: OpenOptions = {}): Promise<StoredChannel> {
    return this.locked(async () => {
      await this.syncUnlocked();
      return this.topUpUnlocked(this.requireChannel(receiver, openBlock), amount, options.method ?? this.policy.depositMethod ?? 'erc223');
    });
  }

  /**
   * Signs a transfer of `amount` on a channel, off-line: the new cumulative balance and its
   * proof, stored before they are returned (once handed out, the proof is the receiver's to use).
   */
  signTransfer(receiver: string, openBlock: number, amount: bigint): Promise<{ balance: bigint; signature: Hex }> {
    return this.locked(async () => {
      const ch = this.requireChannel(receiver, openBlock);
      if (ch.status !== 'open') throw new ChannelStateError('pay on', ch.status);
      const balance = ch.balance + amount;
      const signature = this.signUnlocked(ch, balance);
      this.adoptUnlocked(ch, balance, signature);
      return { balance, signature };
    });
  }

  /**
   * Cooperative close (§5): asks the receiver's gateway for a closing signature of the last
   * balance, checks the receiver signed it, and submits `cooperativeClose`. The deposit is settled
   * at once: the receiver gets the balance, the sender the rest.
   */
  closeCooperatively(receiver: string, openBlock: number, options: { gateway?: string } = {}): Promise<CooperativeCloseResult> {
    return this.locked(async () => {
      await this.syncUnlocked();
      const ch = this.requireChannel(receiver, openBlock);
      if (ch.status !== 'open') throw new ChannelStateError('close cooperatively', ch.status);
      const gateway = options.gateway ?? ch.gateway;
      if (gateway === undefined) {
        throw new ChannelStateError(
          'close cooperatively',
          'without a known gateway',
          'no 402 from this receiver was seen; give the gateway URL (origin + /api/1)',
        );
      }
      const balance = ch.balance;
      const closeSignature = await requestClosingSignature({
        gateway,
        sender: this.address,
        openBlock,
        balance,
        contract: this.contract,
        privateKey: this.#privateKey,
      });
      let signer: Address | undefined;
      try {
        signer = recoverClosingSigner({ sender: this.address, openBlock, balance, contract: this.contract }, closeSignature);
      } catch {
        signer = undefined;
      }
      // Checked before use: a wrong signature would only waste gas on a revert, but a check here
      // says whose fault it is.
      if (signer === undefined || !sameAddress(signer, ch.receiver)) throw new InvalidClosingSignatureError(closeSignature, signer, ch.receiver);
      const balanceSignature = ch.signature ?? this.signUnlocked(ch, balance);
      const receipt = await sendTransaction('cooperativeClose', () =>
        this.conn.channels.getFunction('cooperativeClose')(ch.receiver, openBlock, balance, balanceSignature, closeSignature),
      );
      await this.syncUnlocked(receipt.blockNumber);
      return {
        receiver: ch.receiver,
        openBlock,
        balance,
        closeSignature: closeSignature.toLowerCase() as Hex,
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
      };
    });
  }

  /**
   * Uncooperative close: asks the contract to close at the last balance this client signed (or
   * `balance`); the receiver may dispute with a higher proof until the challenge period ends.
   */
  closeUncooperatively(receiver: string, openBlock: number, options: { balance?: bigint } = {}): Promise<UncooperativeCloseResult> {
    return this.locked(async () => {
      await this.syncUnlocked();
      const ch = this.requireChannel(receiver, openBlock);
      if (ch.status !== 'open') throw new ChannelStateError('close', ch.status);
      const balance = options.balance ?? ch.balance;
      const receipt = await sendTransaction('uncooperativeClose', () => this.conn.channels.getFunction('uncooperativeClose')(ch.receiver, openBlock, balance));
      await this.syncUnlocked(receipt.blockNumber);
      const after = this.requireChannel(receiver, openBlock);
      return {
        receiver: ch.receiver,
        openBlock,
        balance,
        settleBlock: after.settleBlock ?? receipt.blockNumber + this.challengePeriod,
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
      };
    });
  }

  /** Settles a channel whose close was requested, once the challenge period is over. */
  settle(receiver: string, openBlock: number): Promise<SettleResult> {
    return this.locked(async () => {
      await this.syncUnlocked();
      const ch = this.requireChannel(receiver, openBlock);
      if (ch.status === 'settled') throw new ChannelStateError('settle', 'settled', `settled at balance ${ch.closingBalance ?? '?'}`);
      if (ch.status !== 'closing' || ch.settleBlock === undefined) throw new ChannelStateError('settle', ch.status, 'request a close first');
      const head = await this.conn.provider.getBlockNumber();
      // The contract wants block.number > settle_block for the block the transaction lands in,
      // at the earliest head + 1.
      if (head + 1 <= ch.settleBlock) throw new ChallengePeriodError(ch.settleBlock, head);
      const receipt = await sendTransaction('settle', () => this.conn.channels.getFunction('settle')(ch.receiver, openBlock));
      let receiverTokens = 0n;
      for (const log of receipt.logs) {
        if (log.topics[0] === CHANNEL_EVENT_TOPICS.settled && sameAddress(log.address, this.contract)) {
          receiverTokens = BigInt(`0x${log.data.slice(2 + 64, 2 + 128)}`);
        }
      }
      await this.syncUnlocked(receipt.blockNumber);
      return { receiver: ch.receiver, openBlock, balance: ch.closingBalance ?? 0n, receiverTokens, txHash: receipt.hash, blockNumber: receipt.blockNumber };
    });
  }

  // ------------------------------------------------------------ internal (also used by fetch.ts)

  /** @internal Runs `fn` after every earlier locked operation of this client. */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** @internal */
  state(): AccountState {
    return this.#state;
  }

  /** @internal Events up to at least `minBlock` (a receipt's block: the head a provider reports may lag). */
  async syncUnlocked(minBlock = 0): Promise<void> {
    const head = Math.max(await this.conn.provider.getBlockNumber(), minBlock);
    let from = Math.max(this.#state.syncedBlock + 1, this.#fromBlock);
    if (from > head) return;
    // In chunks: public endpoints refuse eth_getLogs over large ranges. Saved after each chunk,
    // so an interrupted first sync resumes where it stopped.
    while (from <= head) {
      const to = Math.min(head, from + LOG_CHUNK_BLOCKS - 1);
      const events = await fetchChannelEvents(this.conn, from, to);
      applyEvents(this.#state, events, this.challengePeriod);
      this.#state.syncedBlock = to;
      this.save();
      from = to + 1;
    }
  }

  /** @internal */
  requireChannel(receiver: string, openBlock: number): StoredChannel {
    const ch = findChannel(this.#state, receiver, openBlock);
    if (ch === undefined) throw new UnknownChannelError(toChecksumAddress(receiver), openBlock);
    return ch;
  }

  /** @internal Signs `balance` on `ch` (never above its deposit). Does not store it. */
  signUnlocked(ch: StoredChannel, balance: bigint): Hex {
    return signBalance(this.#privateKey, this.contract, ch, balance);
  }

  /** @internal Records `balance` and its proof as the channel's current one, durably. */
  adoptUnlocked(ch: StoredChannel, balance: bigint, signature: Hex | undefined): void {
    ch.balance = balance;
    if (signature === undefined) delete ch.signature;
    else ch.signature = signature;
    this.save();
  }

  /** @internal */
  hasFreshDeposit(ch: StoredChannel): boolean {
    return this.#freshDeposits.has(channelKey(this.address, ch.receiver, ch.openBlock));
  }

  /** @internal */
  depositSeen(ch: StoredChannel): void {
    this.#freshDeposits.delete(channelKey(this.address, ch.receiver, ch.openBlock));
  }

  /** @internal */
  addSpent(price: bigint): void {
    this.#spent += price;
  }

  /** @internal */
  save(): void {
    saveAccount(this.storePath, this.#storeKey, this.#state, { sync: this.#storeSync });
  }

  /** @internal */
  async openUnlocked(receiver: string, deposit: bigint, method: DepositMethod): Promise<StoredChannel> {
    const to = toChecksumAddress(receiver);
    if (deposit > this.conn.depositLimit) throw new DepositLimitError(deposit, this.conn.depositLimit);
    await this.requireTokens(deposit);
    const receipt =
      method === 'erc223'
        ? await sendTransaction('open channel (ERC223 transfer)', () =>
            this.conn.tokenContract.getFunction('transfer(address,uint256,bytes)')(this.contract, deposit, encodeOpenData(this.address, to)),
          )
        : await this.approveThen('open channel (createChannel)', deposit, () => this.conn.channels.getFunction('createChannel')(to, deposit));
    // The open block is the block of the ChannelCreated log (the event has no block field).
    const created = receipt.logs.find((l) => l.topics[0] === CHANNEL_EVENT_TOPICS.created && sameAddress(l.address, this.contract));
    if (created === undefined) throw new SenderTransactionError('open channel', `no ChannelCreated event in transaction ${receipt.hash}`);
    await this.syncUnlocked(receipt.blockNumber);
    const ch = this.requireChannel(to, created.blockNumber);
    this.noteDeposit(ch.receiver, ch.openBlock);
    return ch;
  }

  /** @internal */
  async topUpUnlocked(ch: StoredChannel, amount: bigint, method: DepositMethod): Promise<StoredChannel> {
    if (ch.status !== 'open') throw new ChannelStateError('top up', ch.status);
    if (ch.deposit + amount > this.conn.depositLimit) throw new DepositLimitError(ch.deposit + amount, this.conn.depositLimit);
    await this.requireTokens(amount);
    const receipt =
      method === 'erc223'
        ? await sendTransaction('top up (ERC223 transfer)', () =>
            this.conn.tokenContract.getFunction('transfer(address,uint256,bytes)')(
              this.contract,
              amount,
              encodeTopUpData(this.address, ch.receiver, ch.openBlock),
            ),
          )
        : await this.approveThen('top up (topUp)', amount, () => this.conn.channels.getFunction('topUp')(ch.receiver, ch.openBlock, amount));
    await this.syncUnlocked(receipt.blockNumber);
    this.noteDeposit(ch.receiver, ch.openBlock);
    return ch;
  }

  /** Checks the token balance before any deposit transaction: a clear error instead of a revert. */
  private async requireTokens(needed: bigint): Promise<void> {
    const available = await tokenBalance(this.conn);
    if (available < needed) throw new InsufficientTokensError(needed, available);
  }

  private async approveThen(action: string, amount: bigint, call: () => Promise<import('ethers').TransactionResponse>) {
    await sendTransaction('approve', () => this.conn.tokenContract.getFunction('approve')(this.contract, amount));
    return sendTransaction(action, call);
  }
}

/** True for errors that are refusals (policy or protocol), false for failures. */
export function isRefusal(err: unknown): err is SenderRefusal {
  return err instanceof SenderRefusal;
}
