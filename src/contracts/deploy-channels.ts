/**
 * deployChannels(): the kit's contracts on a real network (the seeds' "fast deployment"): the test
 * token (unless an existing ERC20/ERC223 token is named) and `RaidenMicroTransferChannels` (§2),
 * each receipt awaited and its code checked against the artifact, then test tokens for the named
 * addresses. Everything that can be refused is refused before the first transaction: a bad
 * option, a token without code or supply, a key without enough ETH for the deployment's gas,
 * another chain than the one expected. Nothing is left half-deployed by a refusal.
 */
import { Contract, JsonRpcProvider, Network, Wallet, type AbstractProvider, type ContractTransactionResponse, type TransactionReceipt } from 'ethers';
import { TOKEN_ABI } from '../protocol/abi.js';
import { isAddress, toChecksumAddress } from '../protocol/address.js';
import type { Address, Hex } from '../protocol/types.js';
import { artifact, type ContractName } from './artifacts.js';
import { DEFAULT_INITIAL_SUPPLY, DEFAULT_TOKEN, type TokenMetadata } from './deploy.js';
import { DeployError, DeployTransactionError } from './errors.js';
import { RaidenMicroTransferChannels__factory, TestToken__factory } from './generated/bindings/index.js';
import { MAX_CHALLENGE_PERIOD, MIN_CHALLENGE_PERIOD } from './limits.js';
import { codeMatches } from './verify.js';

/** A test token to deploy: ERC20 metadata and the supply minted to the deployer. */
export interface NewToken extends TokenMetadata {
  supply: bigint;
}

export interface DeployChannelsOptions {
  /** JSON-RPC endpoint; or `provider` */
  rpcUrl?: string;
  provider?: AbstractProvider;
  /** the deployer's key (0x + 64 hex digits): it pays the gas and owns the contracts */
  deployerKey: string;
  /** blocks between a close request and settle (§2: at least 500); default 500 */
  challengePeriod?: number;
  /** an existing ERC20/ERC223 token's address, or the test token to deploy (defaults per field) */
  token?: string | Partial<NewToken>;
  /** test tokens for these addresses: minted (a new test token) or transferred from the deployer */
  fund?: readonly { address: string; amount: bigint }[];
  /** refuse unless the endpoint serves this chain */
  chainId?: number;
  /** how long to wait for each receipt (default 120 s) */
  receiptTimeoutMs?: number;
  /** one line per step, for a progress display */
  progress?: (line: string) => void;
}

export interface DeployedContract {
  address: Address;
  /** absent for a token that already existed */
  txHash?: Hex;
  blockNumber?: number;
  gasUsed?: bigint;
}

export interface ChannelsDeployment {
  chainId: number;
  deployer: Address;
  token: DeployedContract & { deployedHere: boolean; name?: string; symbol?: string; decimals?: number };
  channels: DeployedContract & { txHash: Hex; blockNumber: number; gasUsed: bigint; challengePeriod: number };
  funded: { address: Address; amount: bigint; txHash: Hex; blockNumber: number; gasUsed: bigint }[];
  /** gas of every transaction sent */
  gasUsed: bigint;
}

/**
 * Gas of a contract creation that cannot be estimated before the contracts it needs exist: the
 * transaction (21,000 + 32,000 for a creation), its calldata (16 per non-zero byte, 4 per zero
 * byte), the initcode words (2 each, EIP-3860), the code deposit (200 per runtime byte), and a
 * margin for the constructor. An upper bound for the ETH check, never sent as a gas limit.
 */
function creationGasBound(name: ContractName, constructorBytes: number): bigint {
  const a = artifact(name);
  const initcode = a.bytecode.slice(2);
  let calldata = 0;
  for (let i = 0; i < initcode.length; i += 2) calldata += initcode.slice(i, i + 2) === '00' ? 4 : 16;
  calldata += 16 * constructorBytes;
  const words = Math.ceil((initcode.length / 2 + constructorBytes) / 32);
  return BigInt(53_000 + calldata + 2 * words + 200 * ((a.deployedBytecode.length - 2) / 2) + 150_000);
}
/** A mint or transfer to an address that holds none of the token yet: two fresh storage slots and a log. */
const FUNDING_GAS_BOUND = 80_000n;

function checkOptions(o: DeployChannelsOptions): { challengePeriod: number; newToken: NewToken | undefined; tokenAddress: Address | undefined } {
  if (!o.rpcUrl && !o.provider) throw new DeployError('rpcUrl', o.rpcUrl, 'give the JSON-RPC endpoint of the chain');
  if (typeof o.deployerKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(o.deployerKey)) {
    // The key itself is never repeated in an error.
    throw new DeployError('deployerKey', '(hidden)', 'not 32 bytes of hex with a 0x prefix');
  }
  const challengePeriod = o.challengePeriod ?? MIN_CHALLENGE_PERIOD;
  if (!Number.isSafeInteger(challengePeriod) || challengePeriod < MIN_CHALLENGE_PERIOD || challengePeriod > MAX_CHALLENGE_PERIOD) {
    throw new DeployError('challengePeriod', challengePeriod, `below ${MIN_CHALLENGE_PERIOD} blocks, which the contract refuses (§2)`);
  }
  if (o.chainId !== undefined && (!Number.isSafeInteger(o.chainId) || o.chainId < 1)) throw new DeployError('chainId', o.chainId, 'not a positive integer');
  for (const f of o.fund ?? []) {
    if (!isAddress(f.address)) throw new DeployError('fund', f.address, 'not an address (0x and 40 hex digits)');
    if (typeof f.amount !== 'bigint' || f.amount <= 0n)
      throw new DeployError('fund', f.amount, `the amount for ${f.address} must be a positive integer of token base units`);
  }
  if (typeof o.token === 'string') {
    if (!isAddress(o.token)) throw new DeployError('token', o.token, 'not an address (0x and 40 hex digits)');
    return { challengePeriod, newToken: undefined, tokenAddress: toChecksumAddress(o.token) };
  }
  const t: NewToken = { ...DEFAULT_TOKEN, supply: DEFAULT_INITIAL_SUPPLY, ...o.token };
  if (t.name.trim() === '') throw new DeployError('tokenName', t.name, 'must not be empty');
  if (t.symbol.trim() === '') throw new DeployError('tokenSymbol', t.symbol, 'must not be empty');
  if (!Number.isSafeInteger(t.decimals) || t.decimals < 0 || t.decimals > 255)
    throw new DeployError('tokenDecimals', t.decimals, 'must be an integer from 0 to 255 (uint8)');
  if (typeof t.supply !== 'bigint' || t.supply <= 0n || t.supply >= 2n ** 256n) {
    throw new DeployError('tokenSupply', t.supply, 'must be a positive integer below 2^256 (the channels contract refuses a token without supply)');
  }
  return { challengePeriod, newToken: t, tokenAddress: undefined };
}

async function connect(o: DeployChannelsOptions): Promise<{ provider: AbstractProvider; chainId: number; owned: boolean }> {
  if (o.provider) return { provider: o.provider, chainId: Number((await o.provider.getNetwork()).chainId), owned: false };
  const probe = new JsonRpcProvider(o.rpcUrl, undefined, { staticNetwork: true });
  let chainId: number;
  try {
    chainId = Number(await probe.send('eth_chainId', []));
  } catch (err) {
    throw new DeployError('rpcUrl', o.rpcUrl, `no answer to eth_chainId: ${(err as Error).message}`, { cause: err });
  } finally {
    probe.destroy();
  }
  const network = Network.from(chainId);
  // No caching: each nonce must be read after the previous transaction was mined.
  return { provider: new JsonRpcProvider(o.rpcUrl, network, { staticNetwork: network, pollingInterval: 250, cacheTimeout: -1 }), chainId, owned: true };
}

export async function deployChannels(options: DeployChannelsOptions): Promise<ChannelsDeployment> {
  const { challengePeriod, newToken, tokenAddress } = checkOptions(options);
  const say = options.progress ?? (() => undefined);
  const { provider, chainId, owned } = await connect(options);
  try {
    if (options.chainId !== undefined && options.chainId !== chainId) {
      throw new DeployError('chainId', options.chainId, `the endpoint serves chain ${chainId}`);
    }
    const deployer = new Wallet(options.deployerKey, provider);
    const deployerAddress = toChecksumAddress(deployer.address);
    const fund = (options.fund ?? []).map((f) => ({ address: toChecksumAddress(f.address), amount: f.amount }));

    // --- everything that can be refused, before the first transaction
    let existing: { name?: string; symbol?: string; decimals?: number } | undefined;
    if (tokenAddress !== undefined) {
      existing = await checkExistingToken(provider, chainId, tokenAddress, deployerAddress, fund);
    }
    const fees = await provider.getFeeData();
    const gasPrice = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
    let gas = creationGasBound('RaidenMicroTransferChannels', 3 * 32 + 32); // token, period, offset and length of []
    if (newToken) {
      const tx = await new TestToken__factory(deployer).getDeployTransaction(newToken.name, newToken.symbol, newToken.decimals, newToken.supply);
      gas += await provider.estimateGas({ ...tx, from: deployerAddress });
    }
    gas += FUNDING_GAS_BOUND * BigInt(fund.length);
    const needed = gas * gasPrice;
    const balance = await provider.getBalance(deployerAddress);
    if (balance < needed) {
      throw new DeployError(
        'deployerKey',
        deployerAddress,
        `holds ${balance} wei; the deployment needs up to ${needed} wei (${gas} gas at ${gasPrice} wei per gas)`,
      );
    }
    say(`chain ${chainId}, deployer ${deployerAddress} (${balance} wei; the deployment needs up to ${needed})`);

    // --- the transactions, one after the other
    // Sends one transaction and waits for its receipt; ethers' errors (which quote the whole
    // signed transaction) become one line naming the step.
    const send = async (step: string, transaction: () => Promise<ContractTransactionResponse | null>): Promise<TransactionReceipt> => {
      let sent: ContractTransactionResponse | null;
      try {
        sent = await transaction();
      } catch (err) {
        throw new DeployTransactionError(step, shortReason(err), undefined, { cause: err });
      }
      if (!sent) throw new DeployTransactionError(step, 'no transaction was sent');
      let receipt: TransactionReceipt | null;
      try {
        receipt = await sent.wait(1, options.receiptTimeoutMs ?? 120_000);
      } catch (err) {
        throw new DeployTransactionError(step, shortReason(err), sent.hash, { cause: err });
      }
      if (receipt?.status !== 1) throw new DeployTransactionError(step, 'reverted', sent.hash);
      return receipt;
    };
    const verified = async (name: ContractName, address: Address): Promise<void> => {
      if (!codeMatches(await provider.getCode(address), artifact(name))) {
        throw new DeployError(name, address, `the code on chain ${chainId} is not the compiled ${name}`);
      }
    };

    let token: ChannelsDeployment['token'];
    let gasUsed = 0n;
    if (newToken) {
      const factory = new TestToken__factory(deployer);
      const receipt = await send('token', async () =>
        (await factory.deploy(newToken.name, newToken.symbol, newToken.decimals, newToken.supply)).deploymentTransaction(),
      );
      const address = toChecksumAddress(receipt.contractAddress!);
      await verified('TestToken', address);
      token = {
        address,
        txHash: receipt.hash as Hex,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        deployedHere: true,
        name: newToken.name,
        symbol: newToken.symbol,
        decimals: newToken.decimals,
      };
      gasUsed += receipt.gasUsed;
      say(`token ${address} (${newToken.symbol}) in block ${receipt.blockNumber}, ${receipt.gasUsed} gas`);
    } else {
      token = { address: tokenAddress!, deployedHere: false, ...existing };
    }

    const channelsFactory = new RaidenMicroTransferChannels__factory(deployer);
    const receipt = await send('channels', async () => (await channelsFactory.deploy(token.address, challengePeriod, [])).deploymentTransaction());
    const channelsAddress = toChecksumAddress(receipt.contractAddress!);
    await verified('RaidenMicroTransferChannels', channelsAddress);
    gasUsed += receipt.gasUsed;
    say(`RaidenMicroTransferChannels ${channelsAddress} in block ${receipt.blockNumber}, ${receipt.gasUsed} gas`);

    const funded: ChannelsDeployment['funded'] = [];
    const tokenContract = new Contract(token.address, [...TOKEN_ABI, 'function mint(address to, uint256 value)'], deployer);
    for (const f of fund) {
      const r = await send(
        'fund',
        () =>
          (newToken
            ? tokenContract.getFunction('mint')(f.address, f.amount)
            : tokenContract.getFunction('transfer(address,uint256)')(f.address, f.amount)) as Promise<ContractTransactionResponse>,
      );
      funded.push({ ...f, txHash: r.hash as Hex, blockNumber: r.blockNumber, gasUsed: r.gasUsed });
      gasUsed += r.gasUsed;
      say(`funded ${f.address} with ${f.amount} in block ${r.blockNumber}`);
    }

    return {
      chainId,
      deployer: deployerAddress,
      token,
      channels: { address: channelsAddress, txHash: receipt.hash as Hex, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, challengePeriod },
      funded,
      gasUsed,
    };
  } finally {
    if (owned) provider.destroy();
  }
}

/** An existing token must have code and supply, and the deployer the tokens it is asked to hand out. */
async function checkExistingToken(
  provider: AbstractProvider,
  chainId: number,
  address: Address,
  deployer: Address,
  fund: readonly { amount: bigint }[],
): Promise<{ name?: string; symbol?: string; decimals?: number }> {
  if ((await provider.getCode(address)) === '0x') throw new DeployError('token', address, `has no code on chain ${chainId}`);
  const token = new Contract(
    address,
    [
      ...TOKEN_ABI,
      'function totalSupply() view returns (uint256)',
      'function name() view returns (string)',
      'function symbol() view returns (string)',
      'function decimals() view returns (uint8)',
    ],
    provider,
  );
  let supply: bigint;
  try {
    supply = (await token.getFunction('totalSupply')()) as bigint;
  } catch (err) {
    throw new DeployError('token', address, `is not an ERC20 token: totalSupply() failed (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  if (supply === 0n) throw new DeployError('token', address, 'has no supply, which the channels contract refuses (§2)');
  const wanted = fund.reduce((sum, f) => sum + f.amount, 0n);
  if (wanted > 0n) {
    const held = (await token.getFunction('balanceOf')(deployer)) as bigint;
    if (held < wanted) throw new DeployError('fund', wanted, `the deployer ${deployer} holds only ${held} of token ${address} to hand out`);
  }
  // ERC20 metadata is optional: shown when the token has it.
  const optional = async <T>(fn: string): Promise<T | undefined> =>
    ((await token
      .getFunction(fn)()
      .catch(() => undefined)) as T | undefined) ?? undefined;
  const decimals = await optional<bigint>('decimals');
  return {
    ...(await optional<string>('name').then((name) => (name === undefined ? {} : { name }))),
    ...(await optional<string>('symbol').then((symbol) => (symbol === undefined ? {} : { symbol }))),
    ...(decimals !== undefined && { decimals: Number(decimals) }),
  };
}

function shortReason(err: unknown): string {
  const e = err as { shortMessage?: string; reason?: string; message?: string; info?: { error?: { message?: string } } };
  return e.info?.error?.message ?? e.reason ?? e.shortMessage ?? (e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
}
