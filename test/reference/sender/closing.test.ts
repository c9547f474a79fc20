/**
 * Closing from the sender's side: cooperative close through the receiver's REST API, an
 * uncooperative close with a stale balance that the receiver disputes, and settle after the
 * challenge period. Token balances are checked to the unit.
 */
import { expect } from 'chai';
import { recoverClosingSigner } from '../../../src/protocol/index.js';
import { ChallengePeriodError, ChannelStateError, type SenderClient } from '../../../src/reference/sender/index.js';
import { startRig, tokenBalance, waitFor, type Rig } from './helpers.js';

async function payAll(client: SenderClient, rig: Rig, paths: string[]): Promise<void> {
  for (const p of paths) {
    const res = await client.fetch(rig.url + p);
    expect(res.status, p).to.equal(200);
    await res.arrayBuffer();
  }
}

describe('sender closing (real proxy, real manager, deterministic chain)', function () {
  this.timeout(120_000);
  let rig: Rig;
  before(async function () {
    this.timeout(120_000);
    rig = await startRig({ senders: 4 });
  });
  after(async () => rig?.close());

  it('closes cooperatively: DELETE with the sender signature, receiver-signed closing signature, cooperativeClose; exact token balances', async () => {
    const c = await rig.client(0, { policy: { initialDeposit: 50n } });
    await payAll(c, rig, ['/echofix/a', '/echofix/b', '/echodyn/xyz']);
    const [ch] = c.channels({ status: 'open' });
    expect(ch).to.include({ deposit: 50n, balance: 13n });
    const senderBefore = await tokenBalance(rig.chain, c.address);
    const receiverBefore = await tokenBalance(rig.chain, rig.receiver);

    const result = await c.closeCooperatively(rig.receiver, ch!.openBlock);
    expect(result.balance).to.equal(13n);
    expect(recoverClosingSigner({ sender: c.address, openBlock: ch!.openBlock, balance: 13n, contract: rig.contract }, result.closeSignature)).to.equal(
      rig.receiver,
    );
    expect(c.channel(rig.receiver, ch!.openBlock)).to.include({ status: 'settled', closingBalance: 13n });
    expect(await tokenBalance(rig.chain, c.address)).to.equal(senderBefore + 37n);
    expect(await tokenBalance(rig.chain, rig.receiver)).to.equal(receiverBefore + 13n);
    await waitFor(async () => {
      await rig.chain.mine(1);
      return rig.manager.channel(c.address, ch!.openBlock)?.state !== 'open';
    }, 'the manager sees the channel closed');

    // The next request opens a new channel: the settled one is never paid on again.
    await payAll(c, rig, ['/echofix/after']);
    const open = c.channels({ status: 'open' });
    expect(open).to.have.length(1);
    expect(open[0]!.openBlock).to.not.equal(ch!.openBlock);
    expect(open[0]!.balance).to.equal(5n);
  });

  it('an uncooperative close with a stale balance is disputed by the receiver, who gets the full registered balance', async () => {
    const c = await rig.client(1, { policy: { initialDeposit: 40n } });
    await payAll(c, rig, ['/echofix/1', '/echofix/2', '/echofix/3']);
    const [ch] = c.channels({ status: 'open' });
    expect(ch!.balance).to.equal(15n);
    const senderBefore = await tokenBalance(rig.chain, c.address);
    const receiverBefore = await tokenBalance(rig.chain, rig.receiver);

    const closed = await c.closeUncooperatively(rig.receiver, ch!.openBlock, { balance: 5n });
    expect(closed.balance).to.equal(5n);
    expect(closed.settleBlock).to.equal(closed.blockNumber + rig.chain.challengePeriod);
    expect(c.channel(rig.receiver, ch!.openBlock)).to.include({ status: 'closing', closingBalance: 5n });

    // The receiver needs its confirmations to see the request, then answers with cooperativeClose.
    await waitFor(async () => {
      await rig.chain.mine(1);
      await c.sync();
      return c.channel(rig.receiver, ch!.openBlock)!.status === 'settled';
    }, 'the dispute to settle the channel');
    expect(c.channel(rig.receiver, ch!.openBlock)!.closingBalance).to.equal(15n);
    expect(await tokenBalance(rig.chain, rig.receiver)).to.equal(receiverBefore + 15n);
    expect(await tokenBalance(rig.chain, c.address)).to.equal(senderBefore + 40n - 15n);
    // Nothing left to settle.
    const err = await c.settle(rig.receiver, ch!.openBlock).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ChannelStateError).and.include({ code: 'CHANNEL_STATE', state: 'settled', operation: 'settle' });
  });

  it('settles after the challenge period (mined in one call), not before', async () => {
    const c = await rig.client(2, { policy: { initialDeposit: 30n } });
    await payAll(c, rig, ['/echofix/only']);
    const [ch] = c.channels({ status: 'open' });
    const early = await c.settle(rig.receiver, ch!.openBlock).catch((e: unknown) => e);
    expect(early).to.be.instanceOf(ChannelStateError).and.include({ state: 'open' });

    const senderBefore = await tokenBalance(rig.chain, c.address);
    const receiverBefore = await tokenBalance(rig.chain, rig.receiver);
    const closed = await c.closeUncooperatively(rig.receiver, ch!.openBlock);
    expect(closed.balance).to.equal(5n);

    const head = await rig.chain.blockNumber();
    const tooSoon = await c.settle(rig.receiver, ch!.openBlock).catch((e: unknown) => e);
    expect(tooSoon).to.be.instanceOf(ChallengePeriodError).and.include({ code: 'CHALLENGE_PERIOD', settleBlock: closed.settleBlock, head });

    // One evm_mine call up to the settle block; the settle transaction lands one block later.
    await rig.chain.mine(closed.settleBlock - head);
    const settled = await c.settle(rig.receiver, ch!.openBlock);
    expect(settled).to.include({ balance: 5n, receiverTokens: 5n });
    expect(settled.blockNumber).to.equal(closed.settleBlock + 1);
    expect(c.channel(rig.receiver, ch!.openBlock)).to.include({ status: 'settled', closingBalance: 5n });
    expect(await tokenBalance(rig.chain, c.address)).to.equal(senderBefore + 25n);
    expect(await tokenBalance(rig.chain, rig.receiver)).to.equal(receiverBefore + 5n);
  });
});
