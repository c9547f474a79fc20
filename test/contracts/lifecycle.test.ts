/**
 * SPEC §2 end to end: the whole life of channels opened each way (ERC223, ERC20, delegate),
 * topped up each way, withdrawn from, and closed cooperatively, by dispute, or by settle.
 * Token balances are checked on every side so nothing is created or lost.
 */
import { expect } from 'chai';
import type { Chain, Account } from '../../src/sim/chain.js';
import { CHALLENGE_PERIOD, TOKEN, closing, eventsOf, expectRevert, mined, openData, proof, topUpData, useChain } from './fixture.js';

describe('§2 channel lifecycle', () => {
  const chain = useChain();

  async function balances(c: Chain, ...who: string[]) {
    return Promise.all(who.map((a) => c.token.balanceOf(a)));
  }
  const erc223 = async (c: Chain, from: Account, value: bigint, data: string) =>
    mined(c.token.connect(from.wallet)['transfer(address,uint256,bytes)'](await c.channels.getAddress(), value, data));

  it('§2 ERC223 open, ERC223 + ERC20 top-ups, withdraw, then a disputed close: receiver gets the registered balance', async () => {
    const c = chain();
    const sender = c.accounts.senders[0]!;
    const receiver = c.accounts.receiver;
    const contract = await c.channels.getAddress();
    const [senderStart, receiverStart] = await balances(c, sender.address, receiver.address);

    const opened = await erc223(c, sender, 10n * TOKEN, openData(sender.address, receiver.address));
    const openBlock = opened.blockNumber;
    await erc223(c, sender, 5n * TOKEN, topUpData(sender.address, receiver.address, openBlock));
    await mined(c.token.connect(sender.wallet).approve(contract, 5n * TOKEN));
    await mined(c.channels.connect(sender.wallet).topUp(receiver.address, openBlock, 5n * TOKEN));
    expect((await c.channels.getChannelInfo(sender.address, receiver.address, openBlock))[1]).to.equal(20n * TOKEN);

    await mined(c.channels.connect(receiver.wallet).withdraw(openBlock, 4n * TOKEN, await proof(c, sender, receiver.address, openBlock, 4n * TOKEN)));

    // The sender tries to close at 6 although the receiver holds a proof of 12 (§4 dispute).
    await mined(c.channels.connect(sender.wallet).uncooperativeClose(receiver.address, openBlock, 6n * TOKEN));
    await c.mine(CHALLENGE_PERIOD - 10);
    const disputed = await mined(
      c.channels
        .connect(receiver.wallet)
        .cooperativeClose(
          receiver.address,
          openBlock,
          12n * TOKEN,
          await proof(c, sender, receiver.address, openBlock, 12n * TOKEN),
          await closing(c, receiver, sender.address, openBlock, 12n * TOKEN),
        ),
    );
    const [settled] = eventsOf(disputed, c.channels.interface, contract);
    expect(settled?.args).to.deep.equal({
      _sender_address: sender.address,
      _receiver_address: receiver.address,
      _open_block_number: BigInt(openBlock),
      _balance: 12n * TOKEN,
      _receiver_tokens: 8n * TOKEN,
    });

    const [senderEnd, receiverEnd, held] = await balances(c, sender.address, receiver.address, contract);
    expect(receiverEnd! - receiverStart!).to.equal(12n * TOKEN);
    expect(senderStart! - senderEnd!).to.equal(12n * TOKEN);
    expect(held).to.equal(0n);
    await expectRevert(c.channels.getChannelInfo(sender.address, receiver.address, openBlock), 'no channel');
    // The sender's pending request died with the channel.
    await c.mine(20);
    await expectRevert(c.channels.connect(sender.wallet).settle(receiver.address, openBlock), 'no close request');
  });

  it('§2 delegate open + delegate ERC20 and ERC223 top-ups, uncooperative close, settle after the challenge period', async () => {
    const c = chain();
    const sender = c.accounts.senders[1]!;
    const receiver = c.accounts.receiver;
    const contract = await c.channels.getAddress();
    const delegate = await c.delegate.getAddress();
    await mined(c.token['mint(address,uint256)'](delegate, 30n * TOKEN));

    const opened = await mined(c.delegate.createChannel(sender.address, receiver.address, 10n * TOKEN));
    const openBlock = opened.blockNumber;
    const [created] = eventsOf(opened, c.channels.interface, contract);
    expect([created?.name, created?.args._sender_address]).to.deep.equal(['ChannelCreated', sender.address]);
    await mined(c.delegate.topUp(sender.address, receiver.address, openBlock, 10n * TOKEN));
    await mined(c.delegate.transferWithData(10n * TOKEN, topUpData(sender.address, receiver.address, openBlock)));
    expect(await c.token.balanceOf(delegate)).to.equal(0n);
    expect((await c.channels.getChannelInfo(sender.address, receiver.address, openBlock))[1]).to.equal(30n * TOKEN);

    await mined(c.channels.connect(receiver.wallet).withdraw(openBlock, 3n * TOKEN, await proof(c, sender, receiver.address, openBlock, 3n * TOKEN)));
    const [senderStart, receiverStart] = await balances(c, sender.address, receiver.address);
    const requested = await mined(c.channels.connect(sender.wallet).uncooperativeClose(receiver.address, openBlock, 7n * TOKEN));
    const head = await c.mine(CHALLENGE_PERIOD); // one evm_mine call
    expect(head).to.equal(requested.blockNumber + CHALLENGE_PERIOD);
    const key = await c.channels.getKey(sender.address, receiver.address, openBlock);
    expect(await c.channels.withdrawn_balances(key)).to.equal(3n * TOKEN);

    const settledReceipt = await mined(c.channels.connect(sender.wallet).settle(receiver.address, openBlock));
    const [settled] = eventsOf(settledReceipt, c.channels.interface, contract);
    expect([settled?.name, settled?.args._balance, settled?.args._receiver_tokens]).to.deep.equal(['ChannelSettled', 7n * TOKEN, 4n * TOKEN]);
    const [senderEnd, receiverEnd, held] = await balances(c, sender.address, receiver.address, contract);
    expect(receiverEnd! - receiverStart!).to.equal(4n * TOKEN);
    expect(senderEnd! - senderStart!).to.equal(23n * TOKEN);
    expect(held).to.equal(0n);

    // Second fix: the withdrawn record goes with the channel and the close request.
    expect(await c.channels.withdrawn_balances(key)).to.equal(0n);
    expect(await c.channels.channels(key)).to.deep.equal([0n, 0n]);
    expect(await c.channels.closing_requests(key)).to.deep.equal([0n, 0n]);
    await expectRevert(c.channels.connect(sender.wallet).settle(receiver.address, openBlock), 'no close request');
  });

  it('§2 several channels per pair (one per block) live independently', async () => {
    const c = chain();
    const sender = c.accounts.senders[2]!;
    const receiver = c.accounts.receiver;
    const first = (await erc223(c, sender, 2n, openData(sender.address, receiver.address))).blockNumber;
    const second = (await erc223(c, sender, 3n, openData(sender.address, receiver.address))).blockNumber;
    expect(second).to.be.greaterThan(first);
    await mined(c.channels.connect(sender.wallet).uncooperativeClose(receiver.address, first, 1n));
    // The second channel is untouched by the first one's close request.
    await erc223(c, sender, 1n, topUpData(sender.address, receiver.address, second));
    const info = await c.channels.getChannelInfo(sender.address, receiver.address, second);
    expect([info[1], info[2]]).to.deep.equal([4n, 0n]);
  });
});
