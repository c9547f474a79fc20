import { expect } from 'chai';
import { concat } from 'ethers';
import { startChain, type Chain } from '../../src/sim/chain.js';
import { ChainOptionError, SnapshotError } from '../../src/sim/errors.js';

interface RawBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: string[];
}

async function rawBlock(chain: Chain, n: number | 'latest'): Promise<RawBlock> {
  const tag = typeof n === 'number' ? `0x${n.toString(16)}` : n;
  const block = (await chain.ganache.request({ method: 'eth_getBlockByNumber', params: [tag, false] })) as RawBlock | null;
  if (!block) throw new Error(`no block ${n}`);
  return block;
}

/** Every block of the chain as (hash, transaction hashes): what must not differ between runs. */
async function history(chain: Chain): Promise<Array<{ hash: string; txs: string[] }>> {
  const head = await chain.blockNumber();
  const out = [];
  for (let n = 0; n <= head; n++) {
    const b = await rawBlock(chain, n);
    out.push({ hash: b.hash, txs: b.transactions });
  }
  return out;
}

/** Deployment (done by startChain), plain and ERC223 token transfers, mining, a reorg. */
async function script(chain: Chain): Promise<void> {
  const [s0, s1] = chain.accounts.senders as [Chain['accounts']['senders'][0], Chain['accounts']['senders'][0]];
  await (await chain.token.connect(s0.wallet)['transfer(address,uint256)'](s1.address, 7n)).wait();
  const openData = concat([s0.address, chain.accounts.receiver.address]);
  await (await chain.token.connect(s0.wallet)['transfer(address,uint256,bytes)'](chain.addresses.channels, 10n, openData)).wait();
  await chain.mine(20);
  await chain.reorg(4);
  await (await chain.token.connect(s1.wallet)['transfer(address,uint256)'](chain.accounts.thirdParty.address, 3n)).wait();
  await chain.mine(2);
}

describe('sim/chain', function () {
  this.timeout(120_000);

  describe('determinism', () => {
    it('gives identical block and transaction hashes on two fresh chains, different ones for another seed', async () => {
      const runs = [];
      for (const seed of ['uraiden-kit', 'uraiden-kit', 'another-seed']) {
        const chain = await startChain({ seed, senders: 2 });
        try {
          await script(chain);
          runs.push(await history(chain));
        } finally {
          await chain.close();
        }
      }
      const [a, b, c] = runs as [Awaited<ReturnType<typeof history>>, Awaited<ReturnType<typeof history>>, Awaited<ReturnType<typeof history>>];
      // deployment (4) + 2 mints + 2 transfers + 20 mined + 1 transfer + 2 mined
      expect(a).to.have.length(1 + 4 + 2 + 2 + 20 + 1 + 2);
      expect(a.filter((block) => block.txs.length > 0)).to.have.length(4 + 2 + 2 + 1);
      expect(b).to.deep.equal(a);
      expect(c[1]!.txs[0]).to.not.equal(a[1]!.txs[0]);
      expect(c.at(-1)!.hash).to.not.equal(a.at(-1)!.hash);
    });
  });

  describe('options', () => {
    it('refuses a challenge period below 500 with a typed error carrying the value', async () => {
      let error: unknown;
      try {
        await startChain({ challengePeriod: 499 });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(ChainOptionError);
      expect(error).to.include({ option: 'challengePeriod', value: 499, code: 'INVALID_CHAIN_OPTION' });
    });
  });

  describe('a started chain', () => {
    let chain: Chain;
    before(async () => {
      chain = await startChain({ challengePeriod: 600, senders: 2, chainId: 4242, tokensPerSender: 55n });
    });
    after(async () => chain?.close());

    it('deploys the contracts with the requested challenge period and the delegate trusted', async () => {
      expect(await chain.channels.challenge_period()).to.equal(600n);
      expect(await chain.channels.token()).to.equal(chain.addresses.token);
      expect(await chain.channels.trusted_contracts(chain.addresses.delegate)).to.equal(true);
      expect((await chain.provider.getNetwork()).chainId).to.equal(4242n);
      expect(await chain.ganache.request({ method: 'eth_chainId', params: [] })).to.equal('0x1092');
      expect(await chain.ganache.request({ method: 'net_version', params: [] })).to.equal('4242');
    });

    it('funds senders with tokens and ETH, the receiver with ETH only', async () => {
      for (const sender of chain.accounts.senders) {
        expect(await chain.token.balanceOf(sender.address)).to.equal(55n);
        expect(await chain.provider.getBalance(sender.address)).to.satisfy((wei: bigint) => wei > 10n ** 20n);
      }
      expect(await chain.token.balanceOf(chain.accounts.receiver.address)).to.equal(0n);
      expect(await chain.provider.getBalance(chain.accounts.receiver.address)).to.equal(1000n * 10n ** 18n);
    });

    it('mine(500) adds 500 blocks one second apart in one call and returns the head', async () => {
      const before = await rawBlock(chain, 'latest');
      const started = Date.now();
      const head = await chain.mine(500);
      const elapsed = Date.now() - started;
      expect(head).to.equal(Number(before.number) + 500);
      expect(await chain.blockNumber()).to.equal(head);
      const last = await rawBlock(chain, head);
      expect(Number(last.timestamp) - Number(before.timestamp)).to.equal(500);
      // Not a benchmark: a generous bound that 500 separate requests with checkpoints would break on a busy machine too.
      expect(elapsed).to.be.lessThan(10_000);
    });

    it('refuses mine(0)', async () => {
      let error: unknown;
      try {
        await chain.mine(0);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(ChainOptionError).and.include({ value: 0 });
    });

    it('snapshot/revert restores blocks and balances; a used id is refused', async () => {
      const [s0] = chain.accounts.senders as [Chain['accounts']['senders'][0]];
      const head = await chain.blockNumber();
      const id = await chain.snapshot();
      await (await chain.token.connect(s0.wallet)['transfer(address,uint256)'](chain.accounts.thirdParty.address, 5n)).wait();
      await chain.mine(3);
      expect(await chain.token.balanceOf(chain.accounts.thirdParty.address)).to.equal(5n);
      await chain.revert(id);
      expect(await chain.blockNumber()).to.equal(head);
      expect(await chain.token.balanceOf(chain.accounts.thirdParty.address)).to.equal(0n);
      let error: unknown;
      try {
        await chain.revert(id);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(SnapshotError).and.include({ snapshotId: id });
      // and the chain still works
      await (await chain.token.connect(s0.wallet)['transfer(address,uint256)'](chain.accounts.thirdParty.address, 1n)).wait();
      expect(await chain.token.balanceOf(chain.accounts.thirdParty.address)).to.equal(1n);
    });
  });
});
