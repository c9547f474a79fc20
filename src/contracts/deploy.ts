/**
 * Deploys the kit's contracts: test token, channels contract (§2), delegate, and registers the
 * delegate as trusted. Always the same four transactions in the same order from the same
 * account, so on a deterministic chain the addresses never change.
 */
import type { Signer } from 'ethers';
import {
  ChannelDelegate__factory,
  RaidenMicroTransferChannels__factory,
  TestToken__factory,
  type ChannelDelegate,
  type RaidenMicroTransferChannels,
  type TestToken,
} from './generated/bindings/index.js';

export interface DeployOptions {
  /** Blocks between a close request and settle; the contract refuses < 500. */
  challengePeriod: number;
  /** Token base units minted to the deployer; the contract refuses a token without supply. */
  initialSupply?: bigint;
}

/** The test token's ERC20 metadata (its constructor takes them). */
export interface TokenMetadata {
  name: string;
  symbol: string;
  decimals: number;
}

export const DEFAULT_TOKEN: TokenMetadata = { name: 'uRaiden Kit Test Token', symbol: 'UKT', decimals: 18 };

export interface Deployment {
  token: TestToken;
  channels: RaidenMicroTransferChannels;
  delegate: ChannelDelegate;
}

/** 10^9 tokens of 18 decimals: plenty to fund every simulated sender. */
export const DEFAULT_INITIAL_SUPPLY = 10n ** 27n;

export async function deployContracts(deployer: Signer, opts: DeployOptions): Promise<Deployment> {
  // Sequential awaits: each transaction is mined before the next is sent, so nonces never
  // race (with ganache's eager instamine a future nonce would never be mined).
  const { name, symbol, decimals } = DEFAULT_TOKEN;
  const token = await new TestToken__factory(deployer).deploy(name, symbol, decimals, opts.initialSupply ?? DEFAULT_INITIAL_SUPPLY);
  await token.waitForDeployment();
  const tokenAddress = await token.getAddress();

  const channels = await new RaidenMicroTransferChannels__factory(deployer).deploy(tokenAddress, opts.challengePeriod, []);
  await channels.waitForDeployment();
  const channelsAddress = await channels.getAddress();

  const delegate = await new ChannelDelegate__factory(deployer).deploy(tokenAddress, channelsAddress);
  await delegate.waitForDeployment();

  // Trust is granted after deployment because the delegate needs the channels address first.
  await (await channels.addTrustedContracts([await delegate.getAddress()])).wait();
  return { token, channels, delegate };
}
