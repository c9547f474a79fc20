/**
 * The anvil/hardhat method aliases of the kit chain's JSON-RPC server (src/sim/dev-methods.ts),
 * over real HTTP as a tool written for those nodes calls them, and interval mining (--block-time).
 */
import { expect } from 'chai';
import { startChain, type Chain, type RpcServer } from '../../src/sim/index.js';
import { call, rpc } from './rpc.js';

const ADDRESS = '0x00000000000000000000000000000000000000aa';

describe('sim: dev-node methods (anvil_*, hardhat_*, evm_setIntervalMining)', function () {
  this.timeout(60_000);
  let chain: Chain;
  let server: RpcServer;
  const head = async () => Number(await call<string>(server.url, 'eth_blockNumber'));

  before(async () => {
    chain = await startChain({ senders: 1 });
    server = await chain.listen();
  });
  after(async () => {
    await server?.close();
    await chain?.close();
  });

  it('anvil_mine and hardhat_mine mine count blocks (number or hex, default 1); interval other than 1 is refused', async () => {
    const start = await head();
    expect(await call(server.url, 'anvil_mine', [3])).to.equal(null);
    expect(await head()).to.equal(start + 3);
    await call(server.url, 'hardhat_mine', ['0x2']);
    expect(await head()).to.equal(start + 5);
    await call(server.url, 'anvil_mine', []);
    expect(await head()).to.equal(start + 6);
    await call(server.url, 'anvil_mine', [2, 1]);
    expect(await head()).to.equal(start + 8);
    const refused = await rpc(server.url, 'anvil_mine', [2, 12]);
    expect(refused.error).to.include({ code: -32602 });
    expect(refused.error!.message).to.match(/interval must be 1/);
    expect(await head()).to.equal(start + 8);
    expect((await rpc(server.url, 'hardhat_mine', ['ten'])).error).to.include({ code: -32602 });
  });

  it('anvil_setBalance and hardhat_setBalance set an account balance', async () => {
    await call(server.url, 'anvil_setBalance', [ADDRESS, '0x1234']);
    expect(await call(server.url, 'eth_getBalance', [ADDRESS, 'latest'])).to.equal('0x1234');
    await call(server.url, 'hardhat_setBalance', [ADDRESS, 7]);
    expect(await call(server.url, 'eth_getBalance', [ADDRESS, 'latest'])).to.equal('0x7');
    expect((await rpc(server.url, 'anvil_setBalance', ['0x12', '0x1'])).error).to.include({ code: -32602 });
  });

  it('anvil_snapshot and anvil_revert are evm_snapshot and evm_revert', async () => {
    const id = await call<string>(server.url, 'anvil_snapshot');
    const at = await head();
    await call(server.url, 'anvil_mine', [4]);
    expect(await call(server.url, 'anvil_revert', [id])).to.equal(true);
    expect(await head()).to.equal(at);
  });

  it('anvil_reorg [depth, []] and [{ depth }] replace the head blocks; transactions to re-include are refused', async () => {
    await call(server.url, 'anvil_mine', [3]);
    const at = await head();
    const before = await call<{ hash: string }>(server.url, 'eth_getBlockByNumber', [`0x${at.toString(16)}`, false]);
    expect(await call(server.url, 'anvil_reorg', [2, []])).to.equal(null);
    expect(await head()).to.equal(at);
    const after = await call<{ hash: string }>(server.url, 'eth_getBlockByNumber', [`0x${at.toString(16)}`, false]);
    expect(after.hash).to.not.equal(before.hash);
    await call(server.url, 'anvil_reorg', [{ depth: 1, tx_block_pairs: [] }]);
    expect(await head()).to.equal(at);
    const refused = await rpc(server.url, 'anvil_reorg', [1, [['0xdead', 0]]]);
    expect(refused.error).to.include({ code: -32602 });
    expect(refused.error!.message).to.match(/not supported/);
    expect((await rpc(server.url, 'anvil_reorg', [0, []])).error).to.include({ code: -32602 });
  });

  it('evm_setIntervalMining [seconds] mines on its own until set to 0 (anvil_setIntervalMining too)', async () => {
    const start = await head();
    await call(server.url, 'evm_setIntervalMining', [1]);
    expect(chain.blockTime).to.equal(1);
    await new Promise((r) => setTimeout(r, 2300));
    await call(server.url, 'anvil_setIntervalMining', [0]);
    const mined = (await head()) - start;
    expect(mined).to.be.within(2, 3);
    const stopped = await head();
    await new Promise((r) => setTimeout(r, 1300));
    expect(await head()).to.equal(stopped);
    // The kit's own reorg still works over interval-mined blocks: they went through the gateway.
    await chain.reorg(2);
    expect(await head()).to.equal(stopped);
  });
});

describe('sim: startChain({ blockTime })', function () {
  this.timeout(60_000);
  it('mines by itself every blockTime seconds, and stops at close()', async () => {
    const chain = await startChain({ senders: 1, blockTime: 1 });
    try {
      const start = await chain.blockNumber();
      await new Promise((r) => setTimeout(r, 2300));
      expect((await chain.blockNumber()) - start).to.be.within(2, 3);
      expect(() => chain.setBlockTime(-1)).to.throw(/blockTime/);
    } finally {
      await chain.close();
    }
  });
});
