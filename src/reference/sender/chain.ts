/**
 * The sender's view of the chain: a connection (JSON-RPC URL or an injected ethers provider),
 * transactions sent one at a time, and the channel events that rebuild the store.
 */
import { Contract, JsonRpcProvider, Network, Wallet, zeroPadValue, type AbstractProvider, type TransactionReceipt, type TransactionResponse } from 'ethers';
import { toChecksumAddress } from '../../protocol/address.js';
import type { Address, Hex } from '../../protocol/types.js';
import { decodeChannelLog, type ChannelEvent } from '../../protocol/events.js';
import { CHANNELS_ABI, TOKEN_ABI } from '../../protocol/abi.js';
import { ChainAccessError, SenderTransactionError } from './errors.js';

/** What a client reads about its chain and contract when it connects. */
export interface ContractInfo {
  chainId: number;
  contract: Address;
  token: Address;
  challengePeriod: number;
  /** the contract's per-channel deposit limit (§2 channel_deposit_bugbounty_limit) */
  depositLimit: bigint;
}

export interface ChainConnection extends ContractInfo {
  provider: AbstractProvider;
  wallet: Wallet;
  sender: Address;
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
  /** already known (another client read it): nothing is asked of the chain to connect */
  known?: ContractInfo;
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
  if (opts.known) {
    if (opts.known.contract !== contract) throw new ChainAccessError(label, `contract info is for ${opts.known.contract}, not ${contract}`);
    return connection(provider, opts.privateKey, opts.known, label);
  }
  let chainId: number;
  try {
    chainId = Number((await provider.getNetwork()).chainId);
  } catch (err) {
    throw new ChainAccessError(label, `cannot read the chain id: ${(err as Error).message}`, { cause: err });
  }
  const code = await provider.getCode(contract).catch((err: unknown) => {
    throw new ChainAccessError(label, `cannot read code at ${contract}: ${(err as Error).message}`, { cause: err });
  });
  if (code === '0x') throw new ChainAccessError(label, `no contract at ${contract}`);
  const reader = new Contract(contract, CHANNELS_ABI, provider);
  const [tokenRaw, challenge, limit] = await Promise.all([
    reader.getFunction('token')() as Promise<string>,
    reader.getFunction('challenge_period')() as Promise<bigint>,
    reader.getFunction('channel_deposit_bugbounty_limit')() as Promise<bigint>,
  ]);
  const info: ContractInfo = { chainId, contract, token: toChecksumAddress(tokenRaw), challengePeriod: Number(challenge), depositLimit: limit };
  return connection(provider, opts.privateKey, info, label);
}

function connection(provider: AbstractProvider, privateKey: Hex, info: ContractInfo, label: string): ChainConnection {
  const wallet = new Wallet(privateKey, provider);
  return {
    ...info,
    provider,
    wallet,
    sender: toChecksumAddress(wallet.address),
    channels: new Contract(info.contract, CHANNELS_ABI, wallet),
    tokenContract: new Contract(info.token, TOKEN_ABI, wallet),
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
    const ev = decodeChannelLog({ topics: log.topics, data: log.data, blockNumber: log.blockNumber, logIndex: log.index });
    if (ev) out.push(ev);
  }
  return out;
}
