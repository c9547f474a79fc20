import { expect } from 'chai';
import { startChain, type Chain } from '../../src/sim/chain.js';
import { ReorgError, SnapshotError } from '../../src/sim/errors.js';

async function hashAt(chain: Chain, n: number): Promise<string> {
  const block = (await chain.ganache.request({ method: 'eth_getBlockByNumber', params: [`0x${n.toString(16)}`, false] })) as { hash: string } | null;
  if (!block) throw new Error(`no block ${n}`);
  return block.hash;
}

async function hashes(chain: Chain, from: number, to: number): Promise<string[]> {
  const out = [];
  for (let n = from; n <= to; n++) out.push(await hashAt(chain, n));
  return out;
}

async function expectReorgError(action: Promise<unknown>): Promise<ReorgError> {
  let error: unknown;
  try {
    await action;
  } catch (caught) {
    error = caught;
  }
  expect(error).to.be.instanceOf(ReorgError);
  return error as ReorgError;
}

describe('sim/chain reorg', function () {
  this.timeout(120_000);
  let chain: Chain;
  let sender: Chain['accounts']['senders'][0];
  const third = () => chain.accounts.thirdParty.address;

  before(async () => {
    chain = await startChain({ senders: 1 });
    sender = chain.accounts.senders[0]!;
  });
  after(async () => chain?.close());

  it('replaces the last blocks at the same heights with new hashes and drops their transactions', async () => {
    await chain.mine(2);
    const balanceBefore = await chain.token.balanceOf(third());
    const tx = await chain.token.connect(sender.wallet)['transfer(address,uint256)'](third(), 9n);
    const receipt = (await tx.wait())!;
    await chain.mine(2);
    const head = await chain.blockNumber();
    expect(receipt.blockNumber).to.equal(head - 2);
    const kept = await hashAt(chain, head - 3);
    const old = await hashes(chain, head - 2, head);

    const result = await chain.reorg(3);

    expect(await chain.blockNumber()).to.equal(head);
    expect(await hashAt(chain, head - 3)).to.equal(kept);
    const now = await hashes(chain, head - 2, head);
    for (const [i, hash] of now.entries()) expect(hash).to.not.equal(old[i]);
    expect(result).to.deep.equal({ from: head - 2, head, droppedHashes: old, newHashes: now });
    // the parent links of the new branch are consistent
    const first = (await chain.ganache.request({ method: 'eth_getBlockByNumber', params: [`0x${(head - 2).toString(16)}`, false] })) as {
      parentHash: string;
      transactions: string[];
    };
    expect(first.parentHash).to.equal(kept);
    expect(first.transactions).to.deep.equal([]);
    // the dropped transaction and its effects are gone
    expect(await chain.provider.getTransactionReceipt(tx.hash)).to.equal(null);
    expect(await chain.ganache.request({ method: 'eth_getTransactionByHash', params: [tx.hash] })).to.equal(null);
    expect(await chain.token.balanceOf(third())).to.equal(balanceBefore);
    // ganache itself would answer a dropped hash with the replacement block at that height
    expect(await chain.provider.getBlock(old[0]!)).to.equal(null);
    expect((await chain.provider.getBlock(now[0]!))?.hash).to.equal(now[0]);
    let logsError: unknown;
    try {
      await chain.provider.getLogs({ blockHash: old[0]! });
    } catch (caught) {
      logsError = caught;
    }
    expect(String(logsError)).to.contain('unknown block');
    expect(await chain.provider.getLogs({ blockHash: now[0]! })).to.deep.equal([]);
  });

  it('keeps working after a reorg: the dropped transaction can be sent again, blocks mined', async () => {
    const before = await chain.token.balanceOf(third());
    const head = await chain.blockNumber();
    const receipt = (await (await chain.token.connect(sender.wallet)['transfer(address,uint256)'](third(), 9n)).wait())!;
    expect(receipt.status).to.equal(1);
    expect(receipt.blockNumber).to.equal(head + 1);
    expect(await chain.token.balanceOf(third())).to.equal(before + 9n);
    expect(await chain.mine(3)).to.equal(head + 4);
  });

  it('forks inside a mine(n) run, rebuilding the blocks below the fork point unchanged', async () => {
    const start = await chain.blockNumber();
    await chain.mine(500);
    const below = await hashes(chain, start + 240, start + 250);
    const above = await hashAt(chain, start + 251);
    await chain.reorg(250);
    expect(await chain.blockNumber()).to.equal(start + 500);
    expect(await hashes(chain, start + 240, start + 250)).to.deep.equal(below);
    expect(await hashAt(chain, start + 251)).to.not.equal(above);
  });

  it('is atomic for other clients: reads during a reorg never see the chain cut back to the fork point', async () => {
    await chain.mine(300);
    const head = await chain.blockNumber();
    const seen: number[] = [];
    let reorging = true;
    const reading = (async () => {
      while (reorging) {
        seen.push(await chain.blockNumber());
        // a macrotask between reads, as for a client polling over the network
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await chain.reorg(150);
    reorging = false;
    await reading;
    expect(seen.length).to.be.greaterThan(0);
    expect(Math.min(...seen)).to.equal(head);
  });

  it('can reorganise the same heights twice, each time with new hashes', async () => {
    const head = await chain.blockNumber();
    const a = await hashAt(chain, head);
    await chain.reorg(2);
    const b = await hashAt(chain, head);
    await chain.reorg(2);
    const c = await hashAt(chain, head);
    expect(new Set([a, b, c]).size).to.equal(3);
  });

  it('drops snapshots taken above the fork point; keeps older ones working', async () => {
    const early = await chain.snapshot();
    const earlyHead = await chain.blockNumber();
    await chain.mine(5);
    const late = await chain.snapshot();
    await chain.reorg(2);
    let error: unknown;
    try {
      await chain.revert(late);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(SnapshotError);
    await chain.revert(early);
    expect(await chain.blockNumber()).to.equal(earlyHead);
  });

  it('refuses a depth that is not a positive integer or deeper than the chain, leaving the chain as it was', async () => {
    const head = await chain.blockNumber();
    const top = await hashAt(chain, head);
    for (const depth of [0, -1, 1.5]) {
      expect(await expectReorgError(chain.reorg(depth))).to.include({ depth, code: 'REORG_FAILED' });
    }
    await expectReorgError(chain.reorg(head + 1));
    expect(await chain.blockNumber()).to.equal(head);
    expect(await hashAt(chain, head)).to.equal(top);
  });

  it('refuses a fork point made inside one request that mined transactions, leaving the chain as it was', async () => {
    // With the miner stopped, two transactions wait in the pool; one evm_mine call then mines
    // them and more blocks: the heights inside that call cannot be rebuilt exactly.
    await chain.ganache.request({ method: 'miner_stop', params: [] });
    const nonce = await chain.provider.getTransactionCount(sender.address);
    const txs = [];
    for (let i = 0; i < 2; i++) {
      const signed = await sender.wallet.signTransaction(
        await sender.wallet.populateTransaction({ to: third(), value: 1n, nonce: nonce + i, gasLimit: 21_000n }),
      );
      txs.push(await chain.ganache.request({ method: 'eth_sendRawTransaction', params: [signed] }));
    }
    await chain.ganache.request({ method: 'evm_mine', params: [{ blocks: 4 }] });
    await chain.ganache.request({ method: 'miner_start', params: [] });
    const head = await chain.blockNumber();
    const top = await hashAt(chain, head);
    expect((await chain.provider.getTransactionReceipt(txs[1] as string))?.status).to.equal(1);
    await expectReorgError(chain.reorg(2));
    expect(await hashAt(chain, head)).to.equal(top);
    // the run's own last block is a checkpoint, so forking at it works
    await chain.mine(1);
    await chain.reorg(1);
    expect(await hashAt(chain, head)).to.equal(top);
  });

  it('with the miner paused, sends only join the pool (a later nonce first too), and what they mine afterwards can be reorganised', async () => {
    await chain.ganache.request({ method: 'miner_stop', params: [] });
    const nonce = await chain.provider.getTransactionCount(sender.address);
    const signed = [];
    for (let i = 0; i < 2; i++) {
      signed.push(
        await sender.wallet.signTransaction(await sender.wallet.populateTransaction({ to: third(), value: 1n, nonce: nonce + i, gasLimit: 21_000n })),
      );
    }
    // The later nonce first: it waits in the pool, and its send returns at once all the same.
    const hashes = [];
    for (const raw of [signed[1]!, signed[0]!]) hashes.push(await chain.ganache.request({ method: 'eth_sendRawTransaction', params: [raw] }));
    const before = await chain.blockNumber();
    await chain.ganache.request({ method: 'evm_mine', params: [] });
    await chain.ganache.request({ method: 'miner_start', params: [] });
    for (const h of hashes) expect((await chain.provider.getTransactionReceipt(h as string))?.blockNumber).to.equal(before + 1);
    // A transaction sent after miner_start mines at once and is checkpointed as before.
    const receipt = (await (await chain.token.connect(sender.wallet)['transfer(address,uint256)'](third(), 1n)).wait())!;
    const result = await chain.reorg(1);
    expect(result.droppedHashes).to.include(receipt.blockHash);
    expect(await chain.provider.getTransactionReceipt(receipt.hash)).to.equal(null);
  });
});
