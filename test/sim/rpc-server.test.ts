import { expect } from 'chai';
import { Wallet } from 'ethers';
import { startChain, type Chain } from '../../src/sim/chain.js';
import { ChainStateError } from '../../src/sim/errors.js';
import type { RpcServer } from '../../src/sim/rpc-server.js';
import { call, post, rpc, type RpcReply } from './rpc.js';

/** fetch fails (connection refused) rather than answering. */
async function refused(url: string): Promise<boolean> {
  try {
    await rpc(url, 'eth_blockNumber');
    return false;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    expect(cause?.code, String(err)).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']);
    return true;
  }
}

describe('sim/rpc-server', function () {
  this.timeout(120_000);
  let chain: Chain;
  let server: RpcServer;

  before(async () => {
    chain = await startChain({ senders: 2, challengePeriod: 700 });
  });
  after(async () => chain?.close());

  it('targetEnv needs a listening server', () => {
    expect(() => chain.targetEnv({ port: 5000, stateDir: '/tmp/x' })).to.throw(ChainStateError);
  });

  it('listens on 127.0.0.1 and answers eth_blockNumber over HTTP', async () => {
    server = await chain.listen();
    expect(server.url).to.equal(`http://127.0.0.1:${server.port}`);
    expect(server.port).to.be.greaterThan(0);
    const reply = await rpc(server.url, 'eth_blockNumber');
    expect(reply).to.deep.equal({ jsonrpc: '2.0', id: 1, result: `0x${(await chain.blockNumber()).toString(16)}` });
  });

  it('gives targets the §6 variables', () => {
    const env = chain.targetEnv({ port: 5123, stateDir: '/tmp/state', pollIntervalMs: 50 });
    expect(env).to.deep.equal({
      RDN_RPC_URL: server.url,
      RDN_CHAIN_ID: '1337',
      RDN_CONTRACT_ADDRESS: chain.addresses.channels,
      RDN_TOKEN_ADDRESS: chain.addresses.token,
      RDN_RECEIVER_PRIVATE_KEY: chain.accounts.receiver.privateKey,
      RDN_CONFIRMATIONS: '5',
      RDN_PORT: '5123',
      RDN_STATE_DIR: '/tmp/state',
      RDN_POLL_INTERVAL_MS: '50',
    });
    expect(new Wallet(env.RDN_RECEIVER_PRIVATE_KEY!).address).to.equal(chain.accounts.receiver.address);
  });

  it('answers a batch in order, skipping notifications, with an error object for a bad member', async () => {
    const { status, json } = await post(server.url, [
      { jsonrpc: '2.0', id: 'a', method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', method: 'eth_blockNumber', params: [] },
      { jsonrpc: '2.0', id: 7, method: 'eth_getCode', params: [chain.addresses.channels, 'latest'] },
      { id: 8, method: 'eth_chainId' },
      42,
    ]);
    expect(status).to.equal(200);
    const replies = json as RpcReply[];
    expect(replies.map((r) => r.id)).to.deep.equal(['a', 7, 8, null]);
    expect(replies[0]!.result).to.equal('0x539');
    expect(replies[1]!.result).to.match(/^0x[0-9a-f]{100,}$/);
    expect(replies[2]!.error?.code).to.equal(-32600);
    expect(replies[3]!.error?.code).to.equal(-32600);
  });

  it('answers malformed JSON, an empty batch and unknown methods with JSON-RPC errors', async () => {
    expect((await post(server.url, '{"jsonrpc": "2.0", "id": 1, "method": ')).json).to.deep.equal({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    });
    expect(((await post(server.url, [])).json as RpcReply).error?.code).to.equal(-32600);
    const unknown = await rpc(server.url, 'eth_noSuchMethod');
    expect(unknown.id).to.equal(1);
    expect(unknown.error?.code).to.equal(-32601);
    expect((await post(server.url, { jsonrpc: '2.0', method: 'eth_chainId' })).status).to.equal(204);
  });

  it('forwards ganache errors with their code and data (a reverting call)', async () => {
    const data = chain.channels.interface.encodeFunctionData('getChannelInfo', [chain.accounts.senders[0]!.address, chain.accounts.receiver.address, 1]);
    const reply = await rpc(server.url, 'eth_call', [{ to: chain.addresses.channels, data }, 'latest']);
    expect(reply.error?.code).to.be.a('number');
    expect(reply.error?.message).to.match(/revert/i);
  });

  it('kit_info describes the chain, its contracts and account keys', async () => {
    const info = await call<{
      chainId: number;
      challengePeriod: number;
      contracts: Record<string, string>;
      accounts: Array<{ name: string; address: string; privateKey: string }>;
    }>(server.url, 'kit_info');
    expect(info.chainId).to.equal(1337);
    expect(info.challengePeriod).to.equal(700);
    expect(info.contracts).to.deep.equal(chain.addresses);
    expect(info.accounts.map((a) => a.name)).to.deep.equal(['deployer', 'receiver', 'third-party', 'sender-0', 'sender-1']);
    expect(info.accounts[1]).to.deep.equal({
      name: 'receiver',
      address: chain.accounts.receiver.address,
      privateKey: chain.accounts.receiver.privateKey,
    });
  });

  it('kit_reorg replaces the head blocks; a bad depth is invalid params', async () => {
    await chain.mine(3);
    const head = await chain.blockNumber();
    const tag = `0x${head.toString(16)}`;
    const before = await call<{ hash: string }>(server.url, 'eth_getBlockByNumber', [tag, false]);
    const result = await call<{ head: number; from: number }>(server.url, 'kit_reorg', [2]);
    expect(result).to.include({ head, from: head - 1 });
    const after = await call<{ hash: string }>(server.url, 'eth_getBlockByNumber', [tag, false]);
    expect(after.hash).to.not.equal(before.hash);
    expect((await rpc(server.url, 'kit_reorg', ['two'])).error).to.include({ code: -32602 });
    const tooDeep = await rpc(server.url, 'kit_reorg', [head + 5]);
    expect(tooDeep.error?.code).to.equal(-32000);
    expect(tooDeep.error?.data).to.deep.equal({ code: 'REORG_FAILED' });
  });

  it('kit_outage answers, refuses connections for the given time, then serves again on the same port', async () => {
    const reply = await rpc(server.url, 'kit_outage', [600]);
    expect(reply.result).to.deep.equal({ ms: 600 });
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await refused(server.url)).to.equal(true);
    let back = false;
    while (!back && Date.now() - start < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      back = !(await refused(server.url));
    }
    expect(back).to.equal(true);
    expect(Date.now() - start).to.be.at.least(550);
    expect((await rpc(server.url, 'eth_chainId')).result).to.equal('0x539');
    expect((await rpc(server.url, 'kit_outage', [-1])).error?.code).to.equal(-32602);
  });

  it('close() stops the server', async () => {
    await server.close();
    expect(await refused(server.url)).to.equal(true);
    expect(() => chain.targetEnv({ port: 1, stateDir: '/x' })).to.throw(ChainStateError);
  });
});
