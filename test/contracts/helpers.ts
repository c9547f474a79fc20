/**
 * Test-local chain for the contract tests: ganache in-process, deterministic (fixed mnemonic,
 * fixed clock, memdown), the kit's contracts deployed by deployContracts.
 * Used until src/sim/chain.ts is available; it keeps to the same shape (accounts, mine,
 * snapshot/revert) so switching is a one-line change.
 */
import ganache from 'ganache';
import memdown from 'memdown';
import { BrowserProvider, HDNodeWallet, Mnemonic, Wallet, type Signer } from 'ethers';
import { deployContracts, type Deployment } from '../../src/sim/deploy.ts';

const MNEMONIC = 'test test test test test test test test test test test junk';
export const CHALLENGE_PERIOD = 500;

export interface TestAccount {
  address: string;
  privateKey: string;
  wallet: Wallet;
}

export interface TestChain extends Deployment {
  provider: BrowserProvider;
  accounts: { deployer: TestAccount; receiver: TestAccount; thirdParty: TestAccount; senders: TestAccount[] };
  challengePeriod: number;
  blockNumber(): Promise<number>;
  mine(blocks?: number): Promise<number>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestChain(senders = 3): Promise<TestChain> {
  const count = 3 + senders;
  const ganacheProvider = ganache.provider({
    wallet: { mnemonic: MNEMONIC, totalAccounts: count, defaultBalance: 1000 },
    chain: { chainId: 1337, time: new Date('2026-01-01T00:00:00Z') },
    miner: { timestampIncrement: 1 },
    database: { db: memdown() },
    logging: { quiet: true },
  } as never);
  const provider = new BrowserProvider(ganacheProvider as never, undefined, { cacheTimeout: -1 });
  const mnemonic = Mnemonic.fromPhrase(MNEMONIC);
  const accounts: TestAccount[] = [];
  for (let i = 0; i < count; i++) {
    const hd = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
    accounts.push({ address: hd.address, privateKey: hd.privateKey, wallet: new Wallet(hd.privateKey, provider) });
  }
  const [deployer, receiver, thirdParty, ...rest] = accounts as [TestAccount, TestAccount, TestAccount, ...TestAccount[]];
  const deployment = await deployContracts(deployer.wallet as Signer, { challengePeriod: CHALLENGE_PERIOD });

  const rpc = (method: string, params: unknown[] = []): Promise<unknown> =>
    ganacheProvider.request({ method, params } as never) as Promise<unknown>;
  return {
    ...deployment,
    provider,
    accounts: { deployer, receiver, thirdParty, senders: rest },
    challengePeriod: CHALLENGE_PERIOD,
    blockNumber: () => provider.getBlockNumber(),
    async mine(blocks = 1) {
      await rpc('evm_mine', [{ blocks }]);
      return provider.getBlockNumber();
    },
    snapshot: async () => (await rpc('evm_snapshot')) as string,
    async revert(id) {
      if ((await rpc('evm_revert', [id])) !== true) throw new Error(`evm_revert ${id} refused`);
    },
    close: () => ganacheProvider.disconnect(),
  };
}

