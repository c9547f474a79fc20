/**
 * The sender's view of the chain: a connection (JSON-RPC URL or an injected ethers provider),
 * transactions sent one at a time, and the channel events that rebuild the store.
 */
import { Contract, JsonRpcProvider, Network, Wallet, zeroPadValue, type AbstractProvider, type Log, type TransactionReceipt, type TransactionResponse } from 'ethers';
import { toChecksumAddress } from '../../protocol/address.js';
import type { Address, Hex } from '../../protocol/types.js';
import { decodeChannelLog } from '../../protocol/events.js';
import { CHANNELS_ABI, TOKEN_ABI } from '../../protocol/abi.js';
import { ChainAccessError, SenderTransactionError } from './errors.js';

export interface ChainConnection {
  provider: AbstractProvider;
  wallet: Wallet;
  sender: Address;
  chainId: number;
  contract: Address;
  token: Address;
  challengePeriod: number;
  /** the contract's per-channel deposit limit (§2 channel_deposit_bugbounty_limit) */
  depositLimit: bigint;
  channels: Contract;
  tokenContract: Contract;
  /** where the chain is, for messages */
  label: string;
}

export interface ConnectOptions {
  privateKey: Hex;
  /** JSON-RPC endpoint; ignored when `provider` is given */
  rpcUrl?: string;
  provider?: AbstractProvider;
  contract: string;
  /** how long to wait for the RPC endpoint's first answer (ms) */
  rpcTimeoutMs?: number;
}

/**
 * Connects and reads the contract's constants. With a URL, the chain id is asked once by a plain
 * request with a timeout first: ethers would otherwise retry "detect network" forever against a
 * dead endpoint, and the CLI must fail fast instead.
 */
export async function connectChain(opts: ConnectOptions): Promise<ChainConnection> {
  const contract = toChecksumAddress(opts.contract);
  let provider: AbstractProvider;
  let label: string;
  if (opts.provider) {
    provider = opts.provider;
    label = 'injected provider';
  } else if (opts.rpcUrl) {
    label = opts.rpcUrl;
    const chainId = await probeChainId(opts.rpcUrl, opts.rpcTimeoutMs ?? 5000);
    // A short polling interval: the kit chain mines on demand and tests wait on receipts. No
    // cache: ethers would otherwise answer eth_blockNumber from a 250 ms old copy, and `settle`
    // right after the challenge period was mined would see the old head.
    provider = new JsonRpcProvider(opts.rpcUrl, Network.from(chainId), { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
  } else {
    throw new ChainAccessError('(none)', 'neither an RPC URL nor a provider was given');
  }
  let chainId: number;
  try {
    chainId = Number((await provider.getNetwork()).chainId);
  } catch (err) {
    throw new ChainAccessError(label, `cannot read the chain id: ${(err as Error).message}`, { cause: err });
  }
  const wallet = new Wallet(opts.privateKey, provider);
  const code = await provider.getCode(contract).catch((err: unknown) => {
    throw new ChainAccessError(label, `cannot read code at ${contract}: ${(err as Error).message}`, { cause: err });
  });
  if (code === '0x') throw new ChainAccessError(label, `no contract at ${contract}`);
  const channels = new Contract(contract, CHANNELS_ABI, wallet);
  const [tokenRaw, challenge, limit] = await Promise.all([
    channels.getFunction('token')() as Promise<string>,
    channels.getFunction('challenge_period')() as Promise<bigint>,
    channels.getFunction('channel_deposit_bugbounty_limit')() as Promise<bigint>,
  ]);
  const token = toChecksumAddress(tokenRaw);
  return {
    provider,
    wallet,
    sender: toChecksumAddress(wallet.address),
    chainId,
    contract,
    token,
    challengePeriod: Number(challenge),
    depositLimit: limit,
    channels,
    tokenContract: new Contract(token, TOKEN_ABI, wallet),
    label,
  };
}

async function probeChainId(url: string, timeoutMs: number): Promise<number> {
  let body: { result?: unknown; error?: { message?: string } };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new ChainAccessError(url, `no answer to eth_chainId: ${(err as Error).message}`, { cause: err });
  }
  if (typeof body.result !== 'string') throw new ChainAccessError(url, `eth_chainId failed: ${body.error?.message ?? JSON.stringify(body)}`);
  return Number(BigInt(body.result));
}

/**
 * Sends one transaction and waits for its receipt. Callers serialise these per account (the kit
 * chain instamines eagerly: a transaction sent with a nonce ahead of the pending one never
 * resolves). Reverts and send failures become SenderTransactionError with the node's reason.
 */
export async function sendTransaction(action: string, send: () => Promise<TransactionResponse>): Promise<TransactionReceipt> {
  let receipt: TransactionReceipt | null;
  try {
    const tx = await send();
    receipt = await tx.wait();
  } catch (err) {
    const e = err as { shortMessage?: string; reason?: string; message?: string };
    throw new SenderTransactionError(action, e.reason ?? e.shortMessage ?? e.message ?? String(err), { cause: err });
  }
  if (receipt === null || receipt.status !== 1) throw new SenderTransactionError(action, `reverted (receipt status ${receipt?.status ?? 'none'})`);
  return receipt;
}

export async function tokenBalance(conn: ChainConnection): Promise<bigint> {
  return (await conn.tokenContract.getFunction('balanceOf')(conn.sender)) as bigint;
}

/** On-chain state of one channel: undefined when it does not exist (never opened, or settled). */
export interface ChannelInfo {
  deposit: bigint;
  /** 0 when no close was requested */
  settleBlock: number;
  closingBalance: bigint;
  withdrawn: bigint;
}

export async function channelInfo(conn: ChainConnection, receiver: string, openBlock: number): Promise<ChannelInfo | undefined> {
  try {
    const r = (await conn.channels.getFunction('getChannelInfo')(conn.sender, receiver, openBlock)) as [Hex, bigint, bigint, bigint, bigint];
    return { deposit: r[1], settleBlock: Number(r[2]), closingBalance: r[3], withdrawn: r[4] };
  } catch (err) {
    // getChannelInfo reverts ("no channel") for a channel that does not exist; anything else is real.
    if ((err as { code?: string }).code === 'CALL_EXCEPTION') return undefined;
    throw err;
  }
}

/** A decoded channel event of this sender. */
export type ChannelEvent =
  | { kind: 'created'; receiver: Address; openBlock: number; deposit: bigint; block: number; logIndex: number }
  | { kind: 'toppedUp'; receiver: Address; openBlock: number; added: bigint; block: number; logIndex: number }
  | { kind: 'closeRequested'; receiver: Address; openBlock: number; balance: bigint; block: number; logIndex: number }
  | { kind: 'settled'; receiver: Address; openBlock: number; balance: bigint; block: number; logIndex: number }
  | { kind: 'withdraw'; receiver: Address; openBlock: number; withdrawn: bigint; block: number; logIndex: number };

/**
 * Every channel event with this sender as the first indexed topic, in chain order. One getLogs
 * call: topic0 is left open (all five events index the sender first), so nothing of another
 * sender is transferred.
 */
export async function fetchChannelEvents(conn: ChainConnection, fromBlock: number, toBlock: number): Promise<ChannelEvent[]> {
  if (toBlock < fromBlock) return [];
  const logs = await conn.provider.getLogs({
    address: conn.contract,
    topics: [null, zeroPadValue(conn.sender, 32)],
    fromBlock,
    toBlock,
  });
  const out: ChannelEvent[] = [];
  for (const log of [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
    const ev = decodeEvent(log);
    if (ev) out.push(ev);
  }
  return out;
}

function decodeEvent(log: Log): ChannelEvent | undefined {
  const ev = decodeChannelLog(log);
  if (!ev) return undefined;
  const base = { receiver: ev.receiver, openBlock: ev.openBlock, block: log.blockNumber, logIndex: log.index };
  switch (ev.kind) {
    case 'created':
      return { kind: 'created', ...base, deposit: ev.amount };
    case 'toppedUp':
      return { kind: 'toppedUp', ...base, added: ev.amount };
    case 'closeRequested':
      return { kind: 'closeRequested', ...base, balance: ev.amount };
    case 'settled':
      return { kind: 'settled', ...base, balance: ev.amount };
    case 'withdraw':
      return { kind: 'withdraw', ...base, withdrawn: ev.amount };
  }
}
