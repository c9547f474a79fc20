/**
 * The deterministic chain: ganache in the same process, the kit's contracts deployed and the
 * named accounts funded. Two chains started with the same options produce the same transaction
 * and block hashes for the same sequence of requests (fixed keys, fixed clock, one second per
 * block, fixed chain and network id), so conformance runs and failures are reproducible.
 */
import ganache from './ganache.js';
import memdownModule, { type MemDownConstructor } from 'memdown';
import { BrowserProvider, Network, Wallet, getAddress } from 'ethers';
import type { Address, Hex } from '../protocol/types.js';
import type { ChannelDelegate, RaidenMicroTransferChannels, TestToken } from '../contracts/generated/bindings/index.js';
import { deployContracts } from '../contracts/deploy.js';
import { deriveAccounts, type AccountKey } from './accounts.js';
import { DEFAULT_CHAIN_ID, DEFAULT_SEED, DEFAULT_SENDERS, MIN_CHALLENGE_PERIOD } from './defaults.js';
import { ChainOptionError, ChainStateError, SnapshotError } from './errors.js';
import { createGateway, type Eip1193Provider, type ReorgResult } from './gateway.js';
import { INVALID_PARAMS, RpcRequestError, startRpcServer, type RpcServer } from './rpc-server.js';
import { devNodeMethods } from './dev-methods.js';
import { targetEnvironment, type TargetEnvOptions } from './env.js';

/** 1000 tokens of 18 decimals per sender. */
export const DEFAULT_TOKENS_PER_SENDER = 1000n * 10n ** 18n;
/** Genesis time; every block is one second after its parent unless a test moves the clock. */
export const GENESIS_TIME = new Date('2024-01-01T00:00:00Z');
// memdown is CommonJS whose typings declare an ES default export; at run time the default import
// is the constructor itself.
const memdown = memdownModule as unknown as MemDownConstructor;
/** ETH ganache gives each named account. */
const ETH_PER_ACCOUNT = 1000;
/** The in-process provider polls the in-process chain: cheap, and tests wait less. */
const PROVIDER_POLLING_MS = 20;

export interface ChainOptions {
  seed?: string;
  challengePeriod?: number;
  senders?: number;
  chainId?: number;
  tokensPerSender?: bigint;
  /** mine a block every this many seconds, as well as on demand (default 0: on demand only, deterministic) */
  blockTime?: number;
}

export interface Account extends AccountKey {
  wallet: Wallet;
}

export interface Chain {
  chainId: number;
  challengePeriod: number;
  seed: string;
  mnemonic: string;
  /** The in-process ganache behind the checkpointing gateway (see gateway.ts): use this, never ganache directly. */
  ganache: Eip1193Provider;
  provider: BrowserProvider;
  accounts: { deployer: Account; receiver: Account; thirdParty: Account; senders: Account[] };
  addresses: { token: Address; channels: Address; delegate: Address };
  token: TestToken;
  channels: RaidenMicroTransferChannels;
  delegate: ChannelDelegate;
  blockNumber(): Promise<number>;
  /** Mines `blocks` empty blocks in one evm_mine call; returns the new head. */
  mine(blocks?: number): Promise<number>;
  snapshot(): Promise<string>;
  /** Throws SnapshotError for an id that is not live (used, or dropped by a revert or reorg). */
  revert(id: string): Promise<void>;
  /**
   * Replaces the last `depth` blocks with empty ones at the same heights and new hashes.
   * Transactions of the dropped blocks are gone (not re-included), and so are snapshots taken
   * above the fork point. Throws ReorgError, leaving the chain as it was, when the fork point
   * cannot be restored exactly (a block made inside one request that mined several blocks with
   * transactions) or the chain is shorter than `depth`.
   */
  reorg(depth: number): Promise<ReorgResult>;
  listen(port?: number): Promise<RpcServer>;
  /** Interval mining: a block every `seconds` besides the ones mined on demand; 0 stops it. */
  setBlockTime(seconds: number): void;
  readonly blockTime: number;
  /** §6 variables for a target; needs a listening RPC server (the latest one started). */
  targetEnv(opts: TargetEnvOptions): Record<string, string>;
  close(): Promise<void>;
}

export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const seed = options.seed ?? DEFAULT_SEED;
  const challengePeriod = options.challengePeriod ?? MIN_CHALLENGE_PERIOD;
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const tokensPerSender = options.tokensPerSender ?? DEFAULT_TOKENS_PER_SENDER;
  if (!Number.isSafeInteger(challengePeriod) || challengePeriod < MIN_CHALLENGE_PERIOD || challengePeriod > 0xffffffff) {
    throw new ChainOptionError('challengePeriod', challengePeriod, `an integer in [${MIN_CHALLENGE_PERIOD}, 2^32)`);
  }
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new ChainOptionError('chainId', chainId, 'a positive integer');
  if (tokensPerSender < 0n) throw new ChainOptionError('tokensPerSender', tokensPerSender, 'not negative');
  const keys = deriveAccounts(seed, options.senders ?? DEFAULT_SENDERS);

  const raw = ganache.provider({
    // networkId defaults to the wall clock; pin it so net_version is reproducible too.
    chain: { chainId, networkId: chainId, time: GENESIS_TIME },
    wallet: { mnemonic: keys.mnemonic, totalAccounts: keys.all.length, defaultBalance: ETH_PER_ACCOUNT },
    miner: { timestampIncrement: 1 },
    database: { db: memdown() },
    logging: { quiet: true },
  });
  const gateway = createGateway(raw);

  const network = Network.from({ chainId, name: 'uraiden-sim' });
  const provider = new BrowserProvider(gateway, network, {
    staticNetwork: network,
    pollingInterval: PROVIDER_POLLING_MS,
    // No caching of eth_blockNumber & co.: after a reorg or mine() the next read must see it.
    cacheTimeout: -1,
  });
  const account = (k: AccountKey): Account => ({ ...k, wallet: new Wallet(k.privateKey, provider) });
  const accounts = {
    deployer: account(keys.deployer),
    receiver: account(keys.receiver),
    thirdParty: account(keys.thirdParty),
    senders: keys.senders.map(account),
  };

  const servers = new Set<RpcServer>();
  let lastServer: RpcServer | undefined;
  let blockTime = 0;
  let miner: NodeJS.Timeout | undefined;
  // Interval mining goes through the gateway like any evm_mine, so reorgs still find checkpoints.
  const setBlockTime = (seconds: number): void => {
    if (!Number.isFinite(seconds) || seconds < 0) throw new ChainOptionError('blockTime', seconds, 'a non-negative number of seconds');
    clearInterval(miner);
    miner = undefined;
    blockTime = seconds;
    if (seconds > 0) {
      miner = setInterval(() => void gateway.request({ method: 'evm_mine', params: [] }).catch(() => undefined), seconds * 1000);
      miner.unref();
    }
  };
  const close = async (): Promise<void> => {
    clearInterval(miner);
    await Promise.all([...servers].map((s) => s.close()));
    servers.clear();
    provider.destroy();
    await raw.disconnect();
  };

  try {
    const ganacheAccounts = (await gateway.request({ method: 'eth_accounts', params: [] })) as string[];
    if (ganacheAccounts.map((a) => getAddress(a)).join() !== keys.all.map((k) => k.address).join()) {
      throw new ChainStateError('ganache derived other accounts from the mnemonic than the kit did');
    }
    const { token, channels, delegate } = await deployContracts(accounts.deployer.wallet, { challengePeriod });
    // One at a time: each mint is mined before the next nonce is used.
    for (const sender of accounts.senders) {
      if (tokensPerSender > 0n) await (await token['mint(address,uint256)'](sender.address, tokensPerSender)).wait();
    }
    const addresses = {
      token: getAddress(await token.getAddress()) as Address,
      channels: getAddress(await channels.getAddress()) as Address,
      delegate: getAddress(await delegate.getAddress()) as Address,
    };

    const blockNumber = async () => Number(await gateway.request({ method: 'eth_blockNumber', params: [] }));
    const reorg = (depth: number) => gateway.reorg(depth);
    const info = () => ({
      chainId,
      challengePeriod,
      seed,
      mnemonic: keys.mnemonic,
      contracts: addresses,
      accounts: keys.all.map(({ name, address, privateKey }) => ({ name, address, privateKey })),
    });

    const chain: Chain = {
      chainId,
      challengePeriod,
      seed,
      mnemonic: keys.mnemonic,
      ganache: gateway,
      provider,
      accounts,
      addresses,
      token,
      channels,
      delegate,
      blockNumber,
      async mine(blocks = 1) {
        if (!Number.isSafeInteger(blocks) || blocks < 1) throw new ChainOptionError('blocks', blocks, 'a positive integer');
        await gateway.request({ method: 'evm_mine', params: [{ blocks }] });
        return blockNumber();
      },
      snapshot: async () => (await gateway.request({ method: 'evm_snapshot', params: [] })) as string,
      async revert(id) {
        if ((await gateway.request({ method: 'evm_revert', params: [id] })) !== true) throw new SnapshotError(id);
      },
      reorg,
      async listen(port = 0) {
        const server = await startRpcServer({
          port,
          forward: (method, params) => gateway.request({ method, params }),
          methods: {
            ...devNodeMethods({ request: (method, params) => gateway.request({ method, params }), reorg, setBlockTime }),
            kit_info: async () => info(),
            kit_reorg: async (params) => {
              const depth = params[0] === undefined ? 1 : Number(params[0]);
              if (!Number.isSafeInteger(depth) || depth < 1) {
                throw new RpcRequestError(INVALID_PARAMS, 'kit_reorg: depth must be a positive integer', params[0]);
              }
              return reorg(depth);
            },
          },
        });
        servers.add(server);
        lastServer = server;
        return {
          ...server,
          close: async () => {
            servers.delete(server);
            if (lastServer === server) lastServer = undefined;
            await server.close();
          },
        };
      },
      setBlockTime,
      get blockTime() {
        return blockTime;
      },
      targetEnv(opts) {
        if (!lastServer) throw new ChainStateError('targetEnv needs a listening RPC server: call chain.listen() first');
        return targetEnvironment({
          rpcUrl: lastServer.url,
          chainId,
          contract: addresses.channels,
          token: addresses.token,
          receiverPrivateKey: keys.receiver.privateKey as Hex,
          ...opts,
        });
      },
      close,
    };
    if (options.blockTime) setBlockTime(options.blockTime);
    return chain;
  } catch (err) {
    await close();
    throw err;
  }
}
