// The runner's view of the chain: JSON-RPC only (ethers JsonRpcProvider + Wallets), the way a
// test driver in another process would use a chain. On the kit's chain (`uraiden chain`, or the
// runner's own) kit_info hands out the contracts and keys; on any other chain (anvil, hardhat, a
// devnet) the runner deploys the contracts itself with a funded key, and uses what the chain
// offers to mine, reorganise and snapshot — what it cannot do, the cases that need it report as
// unimplemented. Every call a case makes is recorded in `calls` for the report of a failing case.
import {
  Contract,
  FetchRequest,
  Interface,
  JsonRpcProvider,
  Network,
  Wallet,
  concat,
  getAddress,
  keccak256,
  toBeHex,
  toUtf8Bytes,
  zeroPadValue,
  type InterfaceAbi,
  type TransactionReceipt,
} from 'ethers';
import { artifact } from '../../src/contracts/artifacts.js';
import { deployContracts } from '../../src/contracts/deploy.js';
import { MIN_CHALLENGE_PERIOD } from '../../src/contracts/limits.js';
import { UraidenError } from '../../src/protocol/errors.js';

/** What the runner knows of its chain: kit_info's answer on the kit chain, built by the runner elsewhere. */
export interface ChainInfo {
  chainId: number;
  challengePeriod: number;
  contracts: { token: string; channels: string; delegate: string };
  /** at least `deployer` (funds parties) and `receiver` (the target's key) */
  accounts: { name: string; address: string; privateKey: string }[];
}

/** How this chain does what cases ask of it; undefined: it cannot. */
export interface ChainAbilities {
  /** `client`: web3_clientVersion, for the report */
  client: string;
  /** `transactions`: no method mines on demand; a block is made by sending one (automining chains) */
  mine: 'evm_mine blocks' | 'anvil_mine' | 'hardhat_mine' | 'evm_mine' | 'transactions';
  reorg: 'kit_reorg' | 'anvil_reorg' | undefined;
  snapshot: boolean;
  setBalance: 'evm_setAccountBalance' | 'anvil_setBalance' | 'hardhat_setBalance' | undefined;
  /** who makes the chain's RPC go away: the runner's relay, kit_outage, or nobody */
  outage: 'relay' | 'kit_outage' | undefined;
}

export interface ConnectOptions {
  /** a key with ETH on a chain that is not the kit's: it deploys the contracts and funds parties */
  deployerKey?: string;
  /** the runner's relay in front of the target: its outage is the chain's */
  outage?: (ms: number) => Promise<void>;
  /** progress lines (what was deployed, which abilities were found) */
  say?: (line: string) => void;
  /** a target already running uses its own chain's contracts: only the kit chain says which */
  requireKit?: boolean;
}

/** anvil's and hardhat's first well-known test account: public, funded on every such node. */
export const DEV_NODE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** The chain cannot do what a case needs (reorganise, go down, snapshot): the case is unimplemented. */
export class ChainAbilityError extends UraidenError {
  readonly ability: string;
  constructor(ability: string, reason: string) {
    super('CHAIN_ABILITY', `the chain cannot ${ability}: ${reason}`);
    this.ability = ability;
  }
}

/** A transaction the case did not expect to fail was refused by the chain. */
export class ChainCallError extends UraidenError {
  readonly call: string;
  readonly reason: string;
  constructor(call: string, reason: string) {
    super('CHAIN_CALL', `${call}: ${reason}`);
    this.call = call;
    this.reason = reason;
  }
}

export interface ChannelInfo {
  exists: boolean;
  deposit: bigint;
  settleBlock: number;
  closingBalance: bigint;
  withdrawn: bigint;
}

export interface DecodedEvent {
  name: string;
  blockNumber: number;
  args: Record<string, string>;
}

/** Gas price fixed so no fee-data round trips are made and runs stay byte-identical. */
const GAS_PRICE = 10n ** 10n;
const ETH_PER_PARTY = 10n ** 18n;
/** Enough for every call a case makes (the costliest, an ERC223 open, needs about 100k). */
const GAS_LIMIT = 400_000n;

const abi = (name: 'RaidenMicroTransferChannels' | 'TestToken'): InterfaceAbi => artifact(name).abi as unknown as InterfaceAbi;

export class ChainClient {
  readonly provider: JsonRpcProvider;
  readonly info: ChainInfo;
  readonly abilities: ChainAbilities;
  /** the receiver's key, for the §6 environment of a launched target */
  readonly receiverKey: string;
  readonly #outage: ((ms: number) => Promise<void>) | undefined;
  readonly receiver: string;
  readonly faucet: Wallet;
  readonly channels: Contract;
  readonly token: Contract;
  readonly iface: Interface;
  /** calls of the current case, reset by the runner between cases */
  calls: string[] = [];

  private constructor(provider: JsonRpcProvider, info: ChainInfo, abilities: ChainAbilities, outage: ((ms: number) => Promise<void>) | undefined) {
    const channelsAbi = abi('RaidenMicroTransferChannels');
    const tokenAbi = abi('TestToken');
    this.provider = provider;
    this.info = info;
    this.abilities = abilities;
    this.#outage = outage;
    const account = (name: string) => {
      const a = info.accounts.find((x) => x.name === name);
      if (!a) throw new Error(`kit_info has no ${name} account`);
      return a;
    };
    this.receiver = getAddress(account('receiver').address);
    this.receiverKey = account('receiver').privateKey;
    this.faucet = new Wallet(account('deployer').privateKey, provider);
    this.channels = new Contract(info.contracts.channels, channelsAbi, provider);
    this.token = new Contract(info.contracts.token, tokenAbi, provider);
    this.iface = new Interface(channelsAbi);
  }

  static async connect(url: string, options: ConnectOptions = {}, timeoutMs = 10_000): Promise<ChainClient> {
    const req = new FetchRequest(url);
    req.timeout = timeoutMs;
    const probe = new JsonRpcProvider(req, undefined, { staticNetwork: true, batchMaxCount: 1 });
    const say = options.say ?? (() => undefined);
    try {
      const chainId = Number(await probe.send('eth_chainId', []));
      const network = Network.from({ chainId, name: 'chain under test' });
      // No batching (one request, one answer: simple to follow in a trace), no caching of
      // eth_blockNumber (a mine or reorg must be seen at once).
      const provider = new JsonRpcProvider(req, network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1, pollingInterval: 10 });
      const client = String(await provider.send('web3_clientVersion', []).catch(() => 'unknown'));
      const kit = (await provider.send('kit_info', []).catch(() => undefined)) as ChainInfo | undefined;
      if (kit) {
        const outage = options.outage ? 'relay' : 'kit_outage';
        const abilities: ChainAbilities = { client, mine: 'evm_mine blocks', reorg: 'kit_reorg', snapshot: true, setBalance: 'evm_setAccountBalance', outage };
        return new ChainClient(provider, kit, abilities, options.outage ?? ((ms) => provider.send('kit_outage', [ms]).then(() => undefined)));
      }
      if (options.requireKit) {
        throw new ChainCallError(
          'connect',
          `${url} (${client}) is not a kit chain (no kit_info), so its contracts and receiver are unknown: let the runner launch the target (--target-cmd or --self) with --rpc-url`,
        );
      }
      const abilities = await probeAbilities(provider, client, options.outage !== undefined);
      const deployerKey = options.deployerKey ?? (/anvil|hardhat/i.test(client) ? DEV_NODE_KEY : undefined);
      if (!deployerKey) {
        throw new ChainCallError(
          'connect',
          `${url} (${client}) is not the kit's chain: give a funded deployer key (env RDN_DEPLOYER_PRIVATE_KEY) to deploy the contracts with`,
        );
      }
      if (!options.deployerKey) say(`${client}: deploying with its first well-known test account`);
      const info = await deployForRun(provider, deployerKey, chainId);
      const chain = new ChainClient(provider, info, abilities, options.outage);
      // The receiver pays gas for its disputes and withdrawals.
      await chain.fund(chain.receiver, 0n);
      say(
        `deployed the contracts on ${client} (chain ${chainId}): channels ${info.contracts.channels}; mining by ${abilities.mine}, reorg ${abilities.reorg ?? 'none'}, snapshots ${abilities.snapshot ? 'yes' : 'no'}`,
      );
      return chain;
    } finally {
      probe.destroy();
    }
  }

  get contract(): string {
    return getAddress(this.info.contracts.channels);
  }
  get tokenAddress(): string {
    return getAddress(this.info.contracts.token);
  }
  get delegate(): string {
    return getAddress(this.info.contracts.delegate);
  }

  async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    this.calls.push(`${method} ${JSON.stringify(params)}`);
    return this.provider.send(method, params);
  }

  async blockNumber(): Promise<number> {
    return Number(await this.provider.send('eth_blockNumber', []));
  }

  async mine(blocks: number): Promise<void> {
    if (blocks <= 0) return;
    switch (this.abilities.mine) {
      case 'evm_mine blocks':
        return void (await this.rpc('evm_mine', [{ blocks }]));
      case 'anvil_mine':
      case 'hardhat_mine':
        return void (await this.rpc(this.abilities.mine, [toBeHex(blocks)]));
      case 'evm_mine':
        for (let i = 0; i < blocks; i++) await this.rpc('evm_mine', []);
        return;
      case 'transactions':
        for (let i = 0; i < blocks; i++) await this.sendTx(this.faucet, 'a block (0-value transfer to self)', { to: this.faucet.address, value: 0n });
    }
  }

  /** Deterministic per-run, per-case, per-party key: a case sees the same addresses every run. */
  static partyKey(salt: string, caseId: string, party: string): string {
    return keccak256(toUtf8Bytes(`uraiden-conformance|${salt}|${caseId}|${party}`));
  }

  wallet(privateKey: string): Wallet {
    return new Wallet(privateKey, this.provider);
  }

  /** Gives a fresh party ETH for gas and test tokens (the token's mint is open to anyone). */
  async fund(address: string, tokens: bigint): Promise<void> {
    // ETH without a transaction where the chain allows it (ganache does): one block less per party.
    const setBalance = this.abilities.setBalance;
    if (setBalance) await this.rpc(setBalance, [address, toBeHex(ETH_PER_PARTY)]);
    else await this.sendTx(this.faucet, `fund ${address} with 1 ETH`, { to: address, value: ETH_PER_PARTY });
    if (tokens > 0n) await this.call(this.faucet, this.token, 'mint(address,uint256)', [address, tokens]);
  }

  /** Next nonce per sender, so a transaction costs two round trips (send, receipt), not four. */
  private nonces = new Map<string, number>();

  /** After a revert or reorg the chain forgot transactions: nonces must be read again. */
  forgetNonces(): void {
    this.nonces.clear();
  }

  /** Sends a contract call from `wallet`; returns the receipt or throws ChainCallError on a revert. */
  async call(wallet: Wallet, contract: Contract, fn: string, args: unknown[]): Promise<TransactionReceipt> {
    const label = `${wallet.address.slice(0, 10)}… ${fn}(${args.map((a) => (typeof a === 'bigint' ? a.toString() : String(a))).join(', ')})`;
    const data = contract.interface.encodeFunctionData(fn, args);
    return this.sendTx(wallet, label, { to: await contract.getAddress(), data });
  }

  private async sendTx(wallet: Wallet, label: string, tx: { to: string; data?: string; value?: bigint }): Promise<TransactionReceipt> {
    this.calls.push(label);
    let nonce = this.nonces.get(wallet.address);
    if (nonce === undefined) nonce = await this.provider.getTransactionCount(wallet.address, 'pending');
    // A fixed gas limit instead of eth_estimateGas (which runs the call several times): a revert
    // shows as a failed receipt, and only then is the call replayed to learn the reason.
    const signed = await wallet.signTransaction({ ...tx, gasLimit: GAS_LIMIT, gasPrice: GAS_PRICE, nonce, chainId: this.info.chainId, type: 0 });
    let hash: string;
    try {
      hash = (await this.provider.send('eth_sendRawTransaction', [signed])) as string;
    } catch (err) {
      this.nonces.delete(wallet.address);
      const reason = revertReason(err);
      this.calls.push(`  → refused: ${reason}`);
      throw new ChainCallError(label, `refused: ${reason}`);
    }
    this.nonces.set(wallet.address, nonce + 1);
    const receipt = await this.waitReceipt(hash);
    if (receipt.status !== 1) {
      let reason = 'reverted';
      try {
        await this.provider.call({ ...tx, from: wallet.address, blockTag: receipt.blockNumber - 1 });
      } catch (err) {
        reason = `reverted: ${revertReason(err)}`;
      }
      this.calls.push(`  → ${reason} (block ${receipt.blockNumber})`);
      throw new ChainCallError(label, reason);
    }
    this.calls.push(`  → mined in block ${receipt.blockNumber}`);
    return receipt;
  }

  private async waitReceipt(hash: string): Promise<TransactionReceipt> {
    // The kit's chain mines each transaction at once; a short poll covers chains that do not.
    for (let i = 0; i < 2000; i++) {
      const r = await this.provider.getTransactionReceipt(hash);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new ChainCallError(hash, 'not mined within 10 s');
  }

  async openErc223(wallet: Wallet, receiver: string, deposit: bigint): Promise<number> {
    const data = concat([wallet.address, receiver]);
    const r = await this.call(wallet, this.token, 'transfer(address,uint256,bytes)', [this.contract, deposit, data]);
    return r.blockNumber;
  }

  async openErc20(wallet: Wallet, receiver: string, deposit: bigint): Promise<number> {
    await this.call(wallet, this.token, 'approve', [this.contract, deposit]);
    const r = await this.call(wallet, this.channels, 'createChannel', [receiver, deposit]);
    return r.blockNumber;
  }

  async topUpErc223(wallet: Wallet, receiver: string, openBlock: number, amount: bigint): Promise<void> {
    const data = concat([wallet.address, receiver, toBeHex(openBlock, 4)]);
    await this.call(wallet, this.token, 'transfer(address,uint256,bytes)', [this.contract, amount, data]);
  }

  async topUpErc20(wallet: Wallet, receiver: string, openBlock: number, amount: bigint): Promise<void> {
    await this.call(wallet, this.token, 'approve', [this.contract, amount]);
    await this.call(wallet, this.channels, 'topUp', [receiver, openBlock, amount]);
  }

  async channelInfo(sender: string, receiver: string, openBlock: number): Promise<ChannelInfo> {
    this.calls.push(`getChannelInfo(${sender}, ${receiver}, ${openBlock})`);
    try {
      const r = (await this.channels.getFunction('getChannelInfo').staticCall(sender, receiver, openBlock)) as unknown[];
      const info = { exists: true, deposit: r[1] as bigint, settleBlock: Number(r[2]), closingBalance: r[3] as bigint, withdrawn: r[4] as bigint };
      this.calls.push(`  → deposit ${info.deposit}, settle_block ${info.settleBlock}, closing_balance ${info.closingBalance}, withdrawn ${info.withdrawn}`);
      return info;
    } catch {
      // getChannelInfo reverts for a channel that does not exist (never opened, or settled)
      this.calls.push('  → no such channel');
      return { exists: false, deposit: 0n, settleBlock: 0, closingBalance: 0n, withdrawn: 0n };
    }
  }

  async tokenBalance(address: string): Promise<bigint> {
    const b = (await this.token.getFunction('balanceOf').staticCall(address)) as bigint;
    this.calls.push(`balanceOf(${address}) → ${b}`);
    return b;
  }

  /** The channel's events since `fromBlock`, args named without the leading underscore. */
  async events(name: string, sender: string, receiver: string, openBlock: number, fromBlock: number): Promise<DecodedEvent[]> {
    const event = this.iface.getEvent(name);
    if (!event) throw new Error(`unknown event ${name}`);
    const topics: (string | null)[] = [event.topicHash, zeroPadValue(sender, 32), zeroPadValue(receiver, 32)];
    // ChannelCreated has no open-block topic: its open block is the log's block (§2)
    if (name !== 'ChannelCreated') topics.push(zeroPadValue(toBeHex(openBlock), 32));
    const logs = await this.provider.getLogs({ address: this.contract, topics, fromBlock, toBlock: 'latest' });
    const out: DecodedEvent[] = [];
    for (const log of logs) {
      if (name === 'ChannelCreated' && log.blockNumber !== openBlock) continue;
      const parsed = this.iface.parseLog(log);
      if (!parsed) continue;
      const args: Record<string, string> = {};
      parsed.fragment.inputs.forEach((input, i) => {
        args[input.name.replace(/^_/, '')] = String(parsed.args[i]);
      });
      out.push({ name, blockNumber: log.blockNumber, args });
    }
    this.calls.push(`getLogs ${name} for (${sender}, ${openBlock}) → ${out.length}`);
    return out;
  }

  async snapshot(): Promise<string> {
    if (!this.abilities.snapshot) throw new ChainAbilityError('take a snapshot', `${this.abilities.client} has no evm_snapshot`);
    return (await this.rpc('evm_snapshot')) as string;
  }
  async revert(snapshotId: string): Promise<void> {
    this.forgetNonces();
    if ((await this.rpc('evm_revert', [snapshotId])) !== true) throw new ChainCallError('evm_revert', `snapshot ${snapshotId} refused`);
  }
  async reorg(depth: number): Promise<void> {
    this.forgetNonces();
    if (this.abilities.reorg === 'kit_reorg') return void (await this.rpc('kit_reorg', [depth]));
    if (this.abilities.reorg === 'anvil_reorg') return void (await this.rpc('anvil_reorg', [depth, []]));
    throw new ChainAbilityError('reorganise', `${this.abilities.client} offers neither kit_reorg nor anvil_reorg`);
  }
  async outage(ms: number): Promise<void> {
    if (!this.#outage)
      throw new ChainAbilityError('go away', 'the target uses the chain directly (no relay of the runner in between) and the chain has no kit_outage');
    this.calls.push(`outage ${ms} ms (${this.abilities.outage})`);
    await this.#outage(ms);
  }

  close(): void {
    this.provider.destroy();
  }
}

function revertReason(err: unknown): string {
  const e = err as { reason?: string; shortMessage?: string; message?: string; info?: { error?: { message?: string } } };
  return e.reason ?? e.info?.error?.message ?? e.shortMessage ?? e.message ?? String(err);
}

/** Which dev-node methods this chain answers; probed once, with calls that change nothing lasting. */
async function probeAbilities(provider: JsonRpcProvider, client: string, relayed: boolean): Promise<ChainAbilities> {
  const answers = async (method: string, params: unknown[]) =>
    provider.send(method, params).then(
      () => true,
      (err: { error?: { code?: number }; info?: { error?: { code?: number } } }) => (err.error?.code ?? err.info?.error?.code) !== -32601,
    );
  const anvil = /anvil/i.test(client);
  const hardhat = /hardhat/i.test(client);
  const snapshot = await answers('evm_snapshot', []);
  const evmMine = anvil || hardhat ? false : await answers('evm_mine', []);
  return {
    client,
    mine: anvil ? 'anvil_mine' : hardhat ? 'hardhat_mine' : evmMine ? 'evm_mine' : 'transactions',
    // anvil_reorg drops the replaced blocks' transactions, as kit_reorg does (checked on anvil 1.7).
    reorg: anvil ? 'anvil_reorg' : undefined,
    snapshot,
    setBalance: anvil ? 'anvil_setBalance' : hardhat ? 'hardhat_setBalance' : undefined,
    outage: relayed ? 'relay' : undefined,
  };
}

/** The kit's contracts on a chain that is not the kit's, and a receiver key for this run. */
async function deployForRun(provider: JsonRpcProvider, deployerKey: string, chainId: number): Promise<ChainInfo> {
  const deployer = new Wallet(deployerKey, provider);
  const { token, channels, delegate } = await deployContracts(deployer, { challengePeriod: MIN_CHALLENGE_PERIOD });
  const contracts = { token: await token.getAddress(), channels: await channels.getAddress(), delegate: await delegate.getAddress() };
  // A receiver key of this run's own: deterministic from the contract address, so a rerun on the
  // same chain (with new contracts) gets a fresh receiver.
  const receiver = new Wallet(keccak256(toUtf8Bytes(`uraiden-conformance|receiver|${contracts.channels}`)));
  return {
    chainId,
    challengePeriod: MIN_CHALLENGE_PERIOD,
    contracts,
    accounts: [
      { name: 'deployer', address: deployer.address, privateKey: deployerKey },
      { name: 'receiver', address: receiver.address, privateKey: receiver.privateKey },
    ],
  };
}
