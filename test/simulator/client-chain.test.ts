/**
 * The senders' view of the chain (client-chain.ts) answers each client's search for its channel
 * events from one search for everybody's: the answers must be exactly the chain's own, for every
 * sender and range, including blocks mined after the first search; other requests pass through.
 */
import { expect } from 'chai';
import { zeroPadValue } from 'ethers';
import { encodeOpenData, encodeTopUpData } from '../../src/protocol/index.js';
import { startChain, type Chain } from '../../src/sim/index.js';
import { sendBatch } from '../../src/simulator/batch.js';
import { clientChain, clientProvider } from '../../src/simulator/client-chain.js';
import { fundSenders } from '../../src/simulator/funding.js';

describe('simulator: the clients’ chain (channel events searched once for all)', function () {
  this.timeout(120_000);
  let chain: Chain;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const transfer = (amount: bigint, data: string) =>
    chain.token.interface.encodeFunctionData('transfer(address,uint256,bytes)', [chain.addresses.channels, amount, data]);

  before(async () => {
    chain = await startChain({ senders: 4, tokensPerSender: 0n });
    await fundSenders(chain, 10n ** 20n);
  });
  after(async () => chain?.close());

  it('gives every sender, over every range, the logs the chain gives, in its order, as blocks are added', async () => {
    const receiver = chain.accounts.receiver.address;
    const senders = chain.accounts.senders;
    const first = await chain.blockNumber();
    const view = clientChain(chain.ganache, chain.addresses.channels);
    let searched = 0;
    const counting = {
      request: (args: { method: string; params?: unknown }) => {
        if (args.method === 'eth_getLogs') searched++;
        return chain.ganache.request(args);
      },
    };
    const counted = clientChain(counting, chain.addresses.channels);
    const compare = async () => {
      const head = await chain.blockNumber();
      for (const s of senders) {
        for (const [from, to] of [
          [first, head],
          [first + 1, head],
          [head, head],
          [first, head + 3],
        ] as const) {
          const filter = { address: chain.addresses.channels, topics: [null, zeroPadValue(s.address, 32)], fromBlock: hex(from), toBlock: hex(to) };
          const mine = await view.request({ method: 'eth_getLogs', params: [filter] });
          expect(mine, `${s.name} ${from}..${to}`).to.deep.equal(await chain.ganache.request({ method: 'eth_getLogs', params: [filter] }));
          await counted.request({ method: 'eth_getLogs', params: [filter] });
        }
      }
    };
    // Opens of three senders in one batch, then top-ups in another, with searches in between.
    const opened = await sendBatch(
      chain,
      senders.slice(0, 3).map((s) => ({ from: s, to: chain.addresses.token, data: transfer(10n, encodeOpenData(s.address, receiver)), gasLimit: 150_000n })),
    );
    await compare();
    await sendBatch(
      chain,
      senders.slice(0, 2).map((s, i) => ({
        from: s,
        to: chain.addresses.token,
        data: transfer(5n, encodeTopUpData(s.address, receiver, opened[i]!.blockNumber)),
        gasLimit: 100_000n,
      })),
    );
    await chain.mine(2);
    await compare();
    const logs = (await view.request({
      method: 'eth_getLogs',
      params: [
        {
          address: chain.addresses.channels,
          topics: [null, zeroPadValue(senders[0]!.address, 32)],
          fromBlock: hex(first),
          toBlock: hex(await chain.blockNumber()),
        },
      ],
    })) as unknown[];
    expect(logs).to.have.length(2); // created, topped up
    // 4 senders × 4 ranges × 2 rounds answered with one chain search per new range of blocks.
    expect(searched).to.be.at.most(4);
  });

  it('is what an ethers provider over it sends and gets (the clients’ own requests are the ones answered)', async () => {
    let searched = 0;
    const view = clientChain(
      {
        request: (args) => {
          if (args.method === 'eth_getLogs') searched++;
          return chain.ganache.request(args);
        },
      },
      chain.addresses.channels,
    );
    const provider = clientProvider(view, chain.chainId);
    const head = await chain.blockNumber();
    for (const s of chain.accounts.senders) {
      const filter = { address: chain.addresses.channels, topics: [null, zeroPadValue(s.address, 32)], fromBlock: 1, toBlock: head };
      expect((await provider.getLogs(filter)).map((l) => l.toJSON())).to.deep.equal((await chain.provider.getLogs(filter)).map((l) => l.toJSON()));
    }
    expect(searched).to.equal(1);
    provider.destroy();
  });
});
