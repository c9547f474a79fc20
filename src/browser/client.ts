/**
 * createWebClient: a sender in a browser, paying one receiver through the person's wallet. It
 * opens (ERC223 transfer, or approve + createChannel when the token has no ERC223 transfer), tops
 * up, signs balance proofs and closing messages as v1 typed data (typed-data.ts), closes
 * cooperatively through the receiver's §5 REST API or alone and settles after the challenge
 * period. Every signature the wallet returns is checked against the account before it is used.
 *
 * Balances are optimistic, as in the original: a signed balance is kept as the channel's balance
 * at once (the page that carries it is replaced by the content it buys, so nobody is left to
 * confirm it). If the receiver registered something else, its 402 says so with its last proof
 * (§3.2 step 8) and `adoptProof` takes it — only with this account's own signature for it.
 */
import {
  CHANNEL_EVENT_TOPICS,
  decodeChannelLog,
  encodeOpenData,
  encodeTopUpData,
  recoverBalanceProofSigner,
  recoverClosingSigner,
  sameAddress,
  toChecksumAddress,
} from '../protocol/index.js';
import type { Address, BalanceProofMessage, Hex } from '../protocol/index.js';
import { decodeString, decodeWords, encodeCall } from './abi.js';
import type { CookiePayment } from './cookies.js';
import {
  BalanceAboveDepositError,
  ChallengePeriodError,
  ChannelStateError,
  CloseRefusedError,
  GatewayError,
  InsufficientTokensError,
  InvalidClosingSignatureError,
  NoChannelError,
  PriceAboveCapError,
  ReceiverNotAllowedError,
  TransactionFailedError,
  WalletRequestError,
  WalletSignatureMismatchError,
  WrongChainError,
} from './errors.js';
import { channelStore, type KeyValueStorage, type StoredChannel } from './store.js';
import { balanceProofTypedData, closingTypedData, type TypedDataV1 } from './typed-data.js';
import { type Eip1193Provider, walletRequest } from './wallet.js';

/** The Node sender's default cap: 10^18 base units (one token of 18 decimals) per request. */
export const DEFAULT_MAX_PRICE = 10n ** 18n;

export interface WebClientOptions {
  wallet: Eip1193Provider;
  /** The chain the contract is on; the wallet must be on it. */
  chainId: number;
  contract: string;
  token: string;
  /** The receiver this client pays (from the 402's RDN-Receiver-Address). */
  receiver: string;
  /** The receiver's §5 REST API, absolute or relative to the page. Default `/api/1`. */
  gatewayUrl?: string;
  /** Refuse to pay more than this for one request. Default 10^18. */
  maxPrice?: bigint;
  /** Pay only these receivers (default: any). */
  allowedReceivers?: readonly string[];
  /** Default `localStorage`. */
  storage?: KeyValueStorage;
  /** How often to poll for receipts and blocks. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Default `fetch`. */
  fetch?: typeof fetch;
}

/** The channel as the contract has it (getChannelInfo). */
export interface ChannelInfo {
  deposit: bigint;
  /** 0 while no close was requested */
  settleBlock: number;
  closingBalance: bigint;
  withdrawn: bigint;
}

export type DepositVia = 'auto' | 'erc223' | 'erc20';

export interface TransactionOptions {
  /** `auto` (default): the ERC223 transfer when the token takes it, approve + call otherwise. */
  via?: DepositVia;
  /** Called with each transaction hash as soon as the wallet sent it. */
  onTransaction?: (hash: Hex) => void;
}

export interface WebClient {
  readonly receiver: Address;
  readonly contract: Address;
  readonly token: Address;
  readonly chainId: number;
  /** The connected account, once `connect` found one. */
  account(): Address | undefined;
  /**
   * The wallet's account: `prompt: true` asks the person (eth_requestAccounts), otherwise only an
   * account this site was already given (eth_accounts), or undefined. Checks the chain first.
   */
  connect(options?: { prompt?: boolean }): Promise<Address | undefined>;
  /** Throws WrongChainError when the wallet is on another chain. */
  checkChain(): Promise<void>;
  /** Asks the wallet to switch to the receiver's chain (wallet_switchEthereumChain). */
  switchChain(): Promise<void>;
  tokenInfo(): Promise<{ symbol: string; decimals: number }>;
  tokenBalance(): Promise<bigint>;
  blockNumber(): Promise<number>;
  /** The stored channel of the account to the receiver (any status). */
  channel(): StoredChannel | undefined;
  /** The channel on chain; undefined when the contract has no such channel (never opened, or settled). */
  channelInfo(channel?: StoredChannel): Promise<ChannelInfo | undefined>;
  openChannel(deposit: bigint, options?: TransactionOptions): Promise<StoredChannel>;
  topUp(amount: bigint, options?: TransactionOptions): Promise<{ block: number }>;
  /** Resolves once the head is at `block + confirmations` (the receiver's rule, §4), reporting k of N. */
  waitForConfirmations(block: number, confirmations: number, onProgress?: (k: number, n: number) => void): Promise<void>;
  /** Signs balance + price (§3.3 checks first) and keeps it as the channel's balance. */
  signPayment(price: bigint): Promise<CookiePayment>;
  /** Takes the receiver's last registered proof when this account signed it; returns whether it did. */
  adoptProof(balance: bigint, signature: string): boolean;
  /** §5 DELETE with the sender's signature, then cooperativeClose on chain: settled at once. */
  closeCooperatively(options?: TransactionOptions): Promise<{ balance: bigint; block: number }>;
  /** uncooperativeClose at the last signed balance; settle after `settleBlock`. */
  closeUncooperatively(options?: TransactionOptions): Promise<{ settleBlock: number }>;
  settle(options?: TransactionOptions): Promise<{ block: number }>;
  /**
   * Finds the account's open channel to the receiver from the contract's events, scanning from
   * `fromBlock` (default: the receiver's `/stats` `sync_block`, §5), and stores it with balance 0
   * (the receiver's next 402 tells the real one). Undefined when there is none.
   */
  recoverChannel(fromBlock?: number): Promise<StoredChannel | undefined>;
  /**
   * Reads the stored channel's state from the contract and stores what changed: a close request
   * makes it `closing`, a channel the contract no longer has is `settled`.
   */
  syncChannel(): Promise<{ channel: StoredChannel | undefined; info: ChannelInfo | undefined }>;
  /** The receiver's view of the channel (§5 GET /channels/<sender>/<open_block>); undefined while it does not know it. */
  receiverView(): Promise<ReceiverView | undefined>;
  /** Drops the stored channel (not the channel on chain). */
  forget(): void;
}

/** A channel as the receiver's REST API shows it. */
export interface ReceiverView {
  deposit: bigint;
  balance: bigint;
  state: string;
}

interface Receipt {
  blockNumber: string;
  status: string;
}

interface RpcLog {
  topics: string[];
  data: string;
  blockNumber: string;
  logIndex: string;
}

const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
const topicOf = (address: string): string => `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;

export function createWebClient(options: WebClientOptions): WebClient {
  const wallet = options.wallet;
  const receiver = toChecksumAddress(options.receiver);
  const contract = toChecksumAddress(options.contract);
  const token = toChecksumAddress(options.token);
  const { chainId } = options;
  const gatewayUrl = (options.gatewayUrl ?? '/api/1').replace(/\/$/, '');
  const maxPrice = options.maxPrice ?? DEFAULT_MAX_PRICE;
  const pollMs = options.pollIntervalMs ?? 1000;
  const doFetch = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init));
  const store = channelStore(options.storage ?? (globalThis as unknown as { localStorage: KeyValueStorage }).localStorage, chainId, contract);
  let account: Address | undefined;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const call = (to: string, data: Hex) => walletRequest<string>(wallet, 'eth_call', [{ to, data }, 'latest']);

  function requireAccount(): Address {
    if (account === undefined) throw new WalletRequestError('eth_accounts', undefined, 'no account connected: call connect() first');
    return account;
  }

  /** The stored channel, which `operation` needs in state `status`. */
  function requireChannel(operation: string, status: StoredChannel['status']): StoredChannel {
    const from = requireAccount();
    const ch = store.get(from, receiver);
    if (!ch || ch.status === 'settled') throw new NoChannelError(from, receiver);
    if (ch.status !== status) throw new ChannelStateError(operation, ch.status);
    return ch;
  }

  async function checkChain(): Promise<void> {
    const walletChain = Number(await walletRequest<string>(wallet, 'eth_chainId'));
    if (walletChain !== chainId) throw new WrongChainError(walletChain, chainId);
  }

  async function blockNumber(): Promise<number> {
    return Number(await walletRequest<string>(wallet, 'eth_blockNumber'));
  }

  /** Sends one transaction from the account and waits for its receipt; throws when it reverted. */
  async function transact(action: string, to: string, data: Hex, opts: TransactionOptions = {}): Promise<number> {
    const from = requireAccount();
    await checkChain(); // the wallet may have switched chains since connect()
    const hash = await walletRequest<Hex>(wallet, 'eth_sendTransaction', [{ from, to, data }]);
    opts.onTransaction?.(hash);
    for (;;) {
      const receipt = await walletRequest<Receipt | null>(wallet, 'eth_getTransactionReceipt', [hash]);
      if (receipt?.blockNumber) {
        if (Number(receipt.status) !== 1) throw new TransactionFailedError(action, hash);
        return Number(receipt.blockNumber);
      }
      await sleep(pollMs);
    }
  }

  async function tokenBalance(): Promise<bigint> {
    return decodeWords(await call(token, encodeCall('balanceOf(address)', [requireAccount()])))[0] ?? 0n;
  }

  async function requireTokens(amount: bigint): Promise<void> {
    const available = await tokenBalance();
    if (available < amount) throw new InsufficientTokensError(amount, available);
  }

  /** Whether the token takes the ERC223 transfer with this data (a dry run; nothing is sent). */
  async function erc223Works(data: Hex): Promise<boolean> {
    try {
      await walletRequest(wallet, 'eth_estimateGas', [{ from: requireAccount(), to: token, data }]);
      return true;
    } catch (err) {
      if (err instanceof WalletRequestError) return false;
      throw err;
    }
  }

  /** ERC223 `transfer(contract, amount, data)`, or `approve` then the channel contract's own call. */
  async function deposit(action: string, amount: bigint, erc223Data: Hex, erc20Call: Hex, opts: TransactionOptions): Promise<number> {
    const transfer = encodeCall('transfer(address,uint256,bytes)', [contract, amount, erc223Data]);
    const via = opts.via ?? 'auto';
    if (via === 'erc223' || (via === 'auto' && (await erc223Works(transfer)))) return transact(action, token, transfer, opts);
    await transact(`approve for ${action}`, token, encodeCall('approve(address,uint256)', [contract, amount]), opts);
    return transact(action, contract, erc20Call, opts);
  }

  async function channelInfo(ch: StoredChannel | undefined = store.get(requireAccount(), receiver)): Promise<ChannelInfo | undefined> {
    if (!ch) return undefined;
    let result: string;
    try {
      result = await call(contract, encodeCall('getChannelInfo(address,address,uint32)', [ch.account, ch.receiver, ch.openBlock]));
    } catch (err) {
      // The contract reverts for a channel it does not have; anything else is a real failure.
      if (err instanceof WalletRequestError && (err.walletCode === 3 || /revert/i.test(err.message))) return undefined;
      throw err;
    }
    const [, depositWord = 0n, settleBlock = 0n, closingBalance = 0n, withdrawn = 0n] = decodeWords(result);
    return { deposit: depositWord, settleBlock: Number(settleBlock), closingBalance, withdrawn };
  }

  /** eth_signTypedData (v1) by the account, checked: the signer must be the account (§1.4). */
  async function signTyped(data: TypedDataV1, recover: (signature: string) => Address): Promise<Hex> {
    const from = requireAccount();
    const signature = await walletRequest<string>(wallet, 'eth_signTypedData', [data, from]);
    let signer: Address | undefined;
    try {
      signer = recover(signature);
    } catch {
      signer = undefined;
    }
    if (signer === undefined || !sameAddress(signer, from)) throw new WalletSignatureMismatchError(signer, from);
    return signature.toLowerCase() as Hex;
  }

  const proofMessage = (ch: StoredChannel, balance: bigint): BalanceProofMessage => ({ receiver, openBlock: ch.openBlock, balance, contract });

  async function syncBlock(): Promise<number> {
    const url = `${gatewayUrl}/stats`;
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept: 'application/json' } });
    } catch (err) {
      throw new GatewayError(url, undefined, err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw new GatewayError(url, res.status, `answered ${res.status}`);
    const block = Number(((await res.json()) as { sync_block?: unknown }).sync_block);
    if (!Number.isSafeInteger(block) || block < 0) throw new GatewayError(url, res.status, 'no sync_block in the reply');
    return block;
  }

  return {
    receiver,
    contract,
    token,
    chainId,
    account: () => account,

    async connect({ prompt = false } = {}) {
      await checkChain();
      const accounts = await walletRequest<string[]>(wallet, prompt ? 'eth_requestAccounts' : 'eth_accounts');
      account = accounts[0] === undefined ? undefined : toChecksumAddress(accounts[0]);
      return account;
    },

    checkChain,

    async switchChain() {
      await walletRequest(wallet, 'wallet_switchEthereumChain', [{ chainId: hex(chainId) }]);
    },

    async tokenInfo() {
      const [symbol, decimals] = await Promise.all([call(token, encodeCall('symbol()', [])), call(token, encodeCall('decimals()', []))]);
      return { symbol: decodeString(symbol), decimals: Number(decodeWords(decimals)[0] ?? 0n) };
    },

    tokenBalance,
    blockNumber,
    channel: () => (account === undefined ? undefined : store.get(account, receiver)),
    channelInfo,

    async openChannel(amount, opts = {}) {
      const from = requireAccount();
      if (options.allowedReceivers && !options.allowedReceivers.some((r) => sameAddress(r, receiver)))
        throw new ReceiverNotAllowedError(receiver, options.allowedReceivers);
      await requireTokens(amount);
      const block = await deposit(
        'open a channel',
        amount,
        encodeOpenData(from, receiver),
        encodeCall('createChannel(address,uint192)', [receiver, amount]),
        opts,
      );
      const channel: StoredChannel = { account: from, receiver, contract, chainId, openBlock: block, balance: 0n, status: 'open' };
      store.put(channel);
      return channel;
    },

    async topUp(amount, opts = {}) {
      const ch = requireChannel('top up', 'open');
      await requireTokens(amount);
      const block = await deposit(
        'top up the channel',
        amount,
        encodeTopUpData(ch.account, receiver, ch.openBlock),
        encodeCall('topUp(address,uint32,uint192)', [receiver, ch.openBlock, amount]),
        opts,
      );
      return { block };
    },

    async waitForConfirmations(block, confirmations, onProgress) {
      for (;;) {
        const k = Math.min(Math.max((await blockNumber()) - block, 0), confirmations);
        onProgress?.(k, confirmations);
        if (k >= confirmations) return;
        await sleep(pollMs);
      }
    },

    async signPayment(price) {
      if (price > maxPrice) throw new PriceAboveCapError(price, maxPrice);
      if (options.allowedReceivers && !options.allowedReceivers.some((r) => sameAddress(r, receiver)))
        throw new ReceiverNotAllowedError(receiver, options.allowedReceivers);
      const ch = requireChannel('pay', 'open');
      const info = await channelInfo(ch);
      if (!info) throw new NoChannelError(ch.account, receiver);
      if (info.settleBlock !== 0) {
        store.put({ ...ch, status: 'closing', settleBlock: info.settleBlock });
        throw new ChannelStateError('pay', 'closing');
      }
      const balance = ch.balance + price;
      // §3.3: never sign above the deposit (only confirmed-on-chain deposits count here too).
      if (balance > info.deposit) throw new BalanceAboveDepositError(balance, info.deposit);
      const message = proofMessage(ch, balance);
      const signature = await signTyped(balanceProofTypedData(message), (s) => recoverBalanceProofSigner(message, s));
      const { recovered: _guess, ...known } = ch;
      store.put({ ...known, balance, signature });
      return { sender: ch.account, openBlock: ch.openBlock, balance, signature };
    },

    adoptProof(balance, signature) {
      const ch = account === undefined ? undefined : store.get(account, receiver);
      if (!ch) return false;
      try {
        if (!sameAddress(recoverBalanceProofSigner(proofMessage(ch, balance), signature), ch.account)) return false;
      } catch {
        return false;
      }
      const { recovered: _guess, ...known } = ch;
      store.put({ ...known, balance, signature: signature.toLowerCase() as Hex });
      return true;
    },

    async closeCooperatively(opts = {}) {
      const ch = requireChannel('close', 'open');
      if (ch.signature === undefined) throw new CloseRefusedError(400, 'no payment was made in this channel: close it without the receiver');
      const closing = { sender: ch.account, openBlock: ch.openBlock, balance: ch.balance, contract };
      const senderSignature = await signTyped(closingTypedData(closing), (s) => recoverClosingSigner(closing, s));
      const url = `${gatewayUrl}/channels/${ch.account}/${ch.openBlock}`;
      const res = await doFetch(url, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ balance: ch.balance.toString(), sender_signature: senderSignature }),
      });
      const body = (await res.json().catch(() => ({}))) as { close_signature?: unknown; error?: unknown };
      if (!res.ok || typeof body.close_signature !== 'string') throw new CloseRefusedError(res.status, String(body.error ?? 'no close_signature in the reply'));
      let signer: Address | undefined;
      try {
        signer = recoverClosingSigner(closing, body.close_signature);
      } catch {
        signer = undefined;
      }
      if (signer === undefined || !sameAddress(signer, receiver)) throw new InvalidClosingSignatureError(signer, receiver);
      const block = await transact(
        'close the channel',
        contract,
        encodeCall('cooperativeClose(address,uint32,uint192,bytes,bytes)', [receiver, ch.openBlock, ch.balance, ch.signature, body.close_signature]),
        opts,
      );
      store.put({ ...ch, status: 'settled' });
      return { balance: ch.balance, block };
    },

    async closeUncooperatively(opts = {}) {
      const ch = requireChannel('close', 'open');
      await transact(
        'request to close the channel',
        contract,
        encodeCall('uncooperativeClose(address,uint32,uint192)', [receiver, ch.openBlock, ch.balance]),
        opts,
      );
      const info = await channelInfo(ch);
      const settleBlock = info?.settleBlock ?? 0;
      store.put({ ...ch, status: 'closing', settleBlock });
      return { settleBlock };
    },

    async settle(opts = {}) {
      const ch = requireChannel('settle', 'closing');
      const head = await blockNumber();
      // The contract settles once block.number > settle_block; the next block is head + 1.
      if (ch.settleBlock !== undefined && head + 1 <= ch.settleBlock) throw new ChallengePeriodError(ch.settleBlock, head);
      const block = await transact('settle the channel', contract, encodeCall('settle(address,uint32)', [receiver, ch.openBlock]), opts);
      store.put({ ...ch, status: 'settled' });
      return { block };
    },

    async recoverChannel(fromBlock) {
      const from = requireAccount();
      const start = fromBlock ?? (await syncBlock());
      const logs = await walletRequest<RpcLog[]>(wallet, 'eth_getLogs', [
        {
          address: contract,
          fromBlock: hex(start),
          toBlock: 'latest',
          topics: [[CHANNEL_EVENT_TOPICS.created, CHANNEL_EVENT_TOPICS.closeRequested, CHANNEL_EVENT_TOPICS.settled], topicOf(from), topicOf(receiver)],
        },
      ]);
      // Channels opened here, minus those with a close request or a settlement: the newest left.
      const open = new Set<number>();
      for (const log of logs) {
        const ev = decodeChannelLog({ ...log, blockNumber: Number(log.blockNumber), logIndex: Number(log.logIndex) });
        if (ev?.kind === 'created') open.add(ev.openBlock);
        else if (ev) open.delete(ev.openBlock);
      }
      const openBlock = Math.max(...open);
      if (!Number.isFinite(openBlock)) return undefined;
      const channel: StoredChannel = { account: from, receiver, contract, chainId, openBlock, balance: 0n, status: 'open', recovered: true };
      store.put(channel);
      return channel;
    },

    async syncChannel() {
      const ch = store.get(requireAccount(), receiver);
      if (!ch || ch.status === 'settled') return { channel: ch, info: undefined };
      const info = await channelInfo(ch);
      let next = ch;
      if (!info) next = { ...ch, status: 'settled' };
      else if (info.settleBlock !== 0 && ch.status === 'open') next = { ...ch, status: 'closing', settleBlock: info.settleBlock };
      if (next !== ch) store.put(next);
      return { channel: next, info };
    },

    async receiverView() {
      const ch = requireChannel('look up', 'open');
      const url = `${gatewayUrl}/channels/${ch.account}/${ch.openBlock}`;
      const res = await doFetch(url, { headers: { accept: 'application/json' } });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new GatewayError(url, res.status, `answered ${res.status}`);
      const body = (await res.json()) as { deposit?: unknown; balance?: unknown; state?: unknown };
      return { deposit: BigInt(String(body.deposit ?? 0)), balance: BigInt(String(body.balance ?? 0)), state: String(body.state) };
    },

    forget() {
      if (account !== undefined) store.remove(account, receiver);
    },
  };
}
