/**
 * Chain following (§4): reorganisations of unconfirmed and of confirmed blocks, and health (§3.2
 * step 1) through a chain outage and a low ETH balance — over real JSON-RPC where it matters.
 */
import { expect } from 'chai';
import type { Receiver } from '../../../src/reference/receiver/index.js';
import { openChannel, payment, receiverOn, topUp, uncooperativeClose, useChain } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('receiver chain following — §4 confirmations and reorgs, §3.2 step 1 health', () => {
  const chain = useChain();
  let r: (Receiver & { logs: string[] }) | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('§4: a reorg of unconfirmed blocks forgets the channel and the top-up they held', async () => {
    const c = chain();
    r = await receiverOn(c, { confirmations: 3, startBlock: (await c.blockNumber()) + 1 });
    const [a, b] = [c.accounts.senders[0]!, c.accounts.senders[1]!];
    const openA = await openChannel(c, a, 100n);
    await c.mine(3);
    await r.syncOnce();
    expect(r.channel(a.address, openA)!.deposit).to.equal(100n);

    await topUp(c, a, openA, 50n);
    const openB = await openChannel(c, b, 100n);
    await r.syncOnce();
    expect(r.pay(payment(c, b, openB, 5n), 5n)).to.include({ flag: 'RDN-Insufficient-Confirmations' });
    expect(r.stats().openChannels).to.equal(1);

    await c.reorg(2); // drops the top-up's block and the open of B
    await r.syncOnce();
    expect(r.pay(payment(c, b, openB, 5n), 5n), 'B forgotten').to.include({ flag: 'RDN-Nonexisting-Channel' });
    await c.mine(5);
    await r.syncOnce();
    expect(r.channel(a.address, openA)!.deposit, 'the top-up never counted').to.equal(100n);
    expect(r.channel(b.address, openB)).to.equal(undefined);
    expect(
      r.logs.filter((l) => l.includes('reorganisation')),
      'not a confirmed reorg',
    ).to.deep.equal([]);
    expect(r.health()).to.deep.equal({ ok: true });
  });

  it('§3.2 step 6: an unconfirmed close request stops serving; a reorg that drops it resumes service', async () => {
    const c = chain();
    r = await receiverOn(c, { confirmations: 2, startBlock: (await c.blockNumber()) + 1 });
    const sender = c.accounts.senders[1]!;
    const openBlock = await openChannel(c, sender, 100n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 10n), 10n)).to.include({ accepted: true });
    await uncooperativeClose(c, sender, openBlock, 10n);
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)!.state).to.equal('closing');
    expect(r.pay(payment(c, sender, openBlock, 20n), 10n)).to.include({ flag: 'RDN-Nonexisting-Channel' });
    await c.reorg(1);
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)!.state).to.equal('open');
    expect(r.pay(payment(c, sender, openBlock, 20n), 10n)).to.include({ accepted: true });
  });

  it('§4: a reorg of confirmed blocks re-syncs the chain-derived state, keeps the registered proofs, and does not crash', async () => {
    const c = chain();
    r = await receiverOn(c, { confirmations: 2, startBlock: (await c.blockNumber()) + 1 });
    const [a, b] = [c.accounts.senders[2]!, c.accounts.senders[3]!];
    const openA = await openChannel(c, a, 100n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, a, openA, 10n), 10n)).to.include({ accepted: true });

    const openB = await openChannel(c, b, 70n);
    await c.mine(3);
    await r.syncOnce();
    expect(r.pay(payment(c, b, openB, 7n), 7n)).to.include({ accepted: true });
    const syncBefore = r.stats().confirmedBlock;
    expect(syncBefore).to.be.greaterThanOrEqual(openB);

    // Replace every block from B's open upwards: confirmed ones included.
    await c.reorg((await c.blockNumber()) - openB + 1);
    await c.mine(3);
    await r.syncOnce();
    expect(r.logs.some((l) => l.includes('reorganisation below the confirmed head'))).to.equal(true);
    expect(r.health()).to.deep.equal({ ok: true });
    expect(r.channel(b.address, openB), 'B was only in the replaced blocks').to.equal(undefined);
    expect(r.pay(payment(c, b, openB, 14n), 7n)).to.include({ flag: 'RDN-Nonexisting-Channel' });
    // A survives with its deposit counted once and its proof kept.
    expect(r.channel(a.address, openA)).to.deep.include({ deposit: 100n, balance: 10n, state: 'open' });
    expect(r.pay(payment(c, a, openA, 10n), 10n), 'the registered proof is still the last one').to.include({ flag: 'RDN-Invalid-Amount' });
    expect(r.pay(payment(c, a, openA, 20n), 10n)).to.include({ accepted: true });
    // And syncing carries on normally afterwards.
    await topUp(c, a, openA, 1n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.channel(a.address, openA)!.deposit).to.equal(101n);
  });

  it('§3.2 step 1: a chain outage makes health() fail within about a second, and it recovers by itself', async function () {
    this.timeout(30_000);
    const c = chain();
    const server = await c.listen();
    try {
      r = await receiverOn(c, { provider: undefined, rpcUrl: server.url, pollIntervalMs: 100, rpcTimeoutMs: 500 });
      expect(r.health()).to.deep.equal({ ok: true });
      const t0 = Date.now();
      await server.outage(2500);
      while (r.health().ok && Date.now() - t0 < 5000) await sleep(20);
      const seenAfter = Date.now() - t0;
      const h = r.health();
      expect(h).to.deep.include({ ok: false, reason: 'chain-unreachable' });
      expect(seenAfter, 'outage noticed within about a second').to.be.lessThan(1200);
      while (!r.health().ok && Date.now() - t0 < 10_000) await sleep(50);
      expect(r.health(), 'recovered').to.deep.equal({ ok: true });
      expect(Date.now() - t0).to.be.greaterThanOrEqual(2500);
      // Still following the chain after the outage.
      const sender = c.accounts.senders[0]!;
      const openBlock = await openChannel(c, sender, 10n);
      await c.mine(2);
      await r.waitForSync();
      expect(r.pay(payment(c, sender, openBlock, 5n), 5n)).to.include({ accepted: true });
    } finally {
      await r?.stop();
      r = undefined;
      await server.close();
    }
  });

  it('follows the chain through an injected ethers provider as well', async () => {
    const c = chain();
    r = await receiverOn(c, { provider: c.provider, startBlock: (await c.blockNumber()) + 1 });
    const sender = c.accounts.senders[1]!;
    const openBlock = await openChannel(c, sender, 10n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 5n), 5n)).to.include({ accepted: true });
  });

  it('§3.2 step 1: a receiver ETH balance below the configured floor makes health() fail with eth-below-floor', async () => {
    const c = chain();
    const eth = await c.provider.getBalance(c.accounts.receiver.address);
    r = await receiverOn(c, { ethFloor: eth + 1n });
    expect(r.health()).to.deep.include({ ok: false, reason: 'eth-below-floor' });
    await r.stop();
    r = await receiverOn(c, { ethFloor: eth });
    expect(r.health()).to.deep.equal({ ok: true });
  });
});
