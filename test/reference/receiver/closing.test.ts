/**
 * Closing channels (§4, §5 DELETE): the dispute of an uncooperative close below the registered
 * balance, closes at or above it, settlement, withdraw, close-all and the cooperative close
 * signature with every refusal — all on the real contract, with exact token balances.
 */
import { expect } from 'chai';
import { Wallet, parseEther } from 'ethers';
import { recoverClosingSigner, signBalanceProof, signClosing, type Address, type Hex } from '../../../src/protocol/index.js';
import type { Receiver } from '../../../src/reference/receiver/index.js';
import { openChannel, payment, receiverOn, senderClosingSig, tokenBalance, topUp, uncooperativeClose, useChain } from './helpers.js';

describe('receiver closing: disputes, settle, cooperative close, withdraw, close-all — §4, §5', () => {
  const chain = useChain();
  let r: (Receiver & { logs: string[] }) | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  /** A manager that only knows channels opened from now on, so tests do not see each other's. */
  async function fresh(overrides: Parameters<typeof receiverOn>[1] = {}) {
    const c = chain();
    r = await receiverOn(c, { startBlock: (await c.blockNumber()) + 1, ...overrides });
    return { c, r };
  }
  const nonceOf = (address: string) => chain().provider.getTransactionCount(address, 'latest');

  it('§4 dispute: a sender who paid 50 and asks to close at 10 is answered by cooperativeClose; final token balances are exact', async () => {
    const c = chain();
    r = await receiverOn(c, { startBlock: (await c.blockNumber()) + 1 });
    const sender = c.accounts.senders[0]!;
    const receiver = c.accounts.receiver.address;
    const [s0, r0, k0] = await Promise.all([tokenBalance(c, sender.address), tokenBalance(c, receiver), tokenBalance(c, c.addresses.channels)]);
    const openBlock = await openChannel(c, sender, 100n);
    await c.mine(2);
    await r.syncOnce();
    for (let b = 10n; b <= 50n; b += 10n) expect(r.pay(payment(c, sender, openBlock, b), 10n)).to.include({ accepted: true });

    const nonce0 = await nonceOf(receiver);
    await uncooperativeClose(c, sender, openBlock, 10n);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 60n), 10n), 'stops serving on the unconfirmed close request').to.include({
      accepted: false,
      flag: 'RDN-Nonexisting-Channel',
    });
    expect(await nonceOf(receiver), 'no dispute before the close request is confirmed').to.equal(nonce0);
    await c.mine(2);
    await r.syncOnce();
    expect(await nonceOf(receiver), 'one dispute transaction').to.equal(nonce0 + 1);
    expect(r.logs.some((l) => l.includes('claims 10 < registered 50'))).to.equal(true);
    // The dispute settled the channel on chain at once.
    expect(await tokenBalance(c, receiver)).to.equal(r0 + 50n);
    expect(await tokenBalance(c, sender.address)).to.equal(s0 - 50n);
    expect(await tokenBalance(c, c.addresses.channels)).to.equal(k0);

    // Further polls (settlement still unconfirmed, then confirmed), and a restart in between,
    // never send it again: the dispute is recorded in the state.
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)!.state).to.equal('closing');
    const stateFile = r.stateFile;
    await r.stop();
    r = await receiverOn(c, { stateFile });
    await r.syncOnce();
    expect(await nonceOf(receiver), 'not re-sent after a restart').to.equal(nonce0 + 1);
    await c.mine(2);
    await r.syncOnce();
    await r.syncOnce();
    expect(await nonceOf(receiver)).to.equal(nonce0 + 1);
    expect(r.channel(sender.address, openBlock)).to.deep.include({ state: 'closed', balance: 50n });
    expect(r.channels({ status: 'closed' }).map((v) => v.openBlock)).to.deep.equal([openBlock]);
    expect(r.stats()).to.include({ openChannels: 0, pendingChannels: 0 });
  });

  it('§4: a close request at or above the registered balance stops serving without a dispute; settle → closed', async () => {
    const { c, r } = await fresh();
    const [a, b] = [c.accounts.senders[1]!, c.accounts.senders[2]!];
    const receiver = c.accounts.receiver.address;
    const r0 = await tokenBalance(c, receiver);
    const openA = await openChannel(c, a, 100n);
    const openB = await openChannel(c, b, 100n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, a, openA, 20n), 20n)).to.include({ accepted: true });
    expect(r.pay(payment(c, b, openB, 20n), 20n)).to.include({ accepted: true });
    const nonce0 = await nonceOf(receiver);
    const closedA = await uncooperativeClose(c, a, openA, 20n); // equal
    const closedB = await uncooperativeClose(c, b, openB, 30n); // above: the sender gives more than it had to
    await c.mine(2);
    await r.syncOnce();
    expect(await nonceOf(receiver)).to.equal(nonce0);
    for (const [s, ob, at] of [
      [a, openA, closedA],
      [b, openB, closedB],
    ] as const) {
      expect(r.channel(s.address, ob)).to.deep.include({ state: 'closing', settleBlock: at + c.challengePeriod });
      expect(r.pay(payment(c, s, ob, 25n), 5n)).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    }
    expect(r.stats()).to.include({ pendingChannels: 2, openChannels: 0 });
    await c.mine(c.challengePeriod);
    for (const [s, ob] of [
      [a, openA],
      [b, openB],
    ] as const) {
      await (await c.channels.connect(s.wallet).settle(receiver, ob)).wait();
    }
    await c.mine(2);
    await r.syncOnce();
    expect(r.channel(a.address, openA)!.state).to.equal('closed');
    expect(r.channel(b.address, openB)!.state).to.equal('closed');
    expect(await tokenBalance(c, receiver)).to.equal(r0 + 50n);
  });

  it('§4 dispute: a manager that was down for the whole challenge period still disputes if the sender has not settled', async () => {
    const c = chain();
    r = await receiverOn(c, { startBlock: (await c.blockNumber()) + 1 });
    const sender = c.accounts.senders[1]!;
    const r0 = await tokenBalance(c, c.accounts.receiver.address);
    const openBlock = await openChannel(c, sender, 100n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 30n), 30n)).to.include({ accepted: true });
    const stateFile = r.stateFile;
    await r.stop();
    await uncooperativeClose(c, sender, openBlock, 5n);
    await c.mine(c.challengePeriod + 5);
    r = await receiverOn(c, { stateFile });
    expect(await tokenBalance(c, c.accounts.receiver.address)).to.equal(r0 + 30n);
    expect(r.logs.some((l) => l.includes('claims 5 < registered 30'))).to.equal(true);
  });

  it('§4 dispute retry: a receiver without ETH cannot send the dispute; once funded, the next poll sends it', async () => {
    const c = chain();
    const poor = Wallet.createRandom();
    const receiver = poor.address as Address;
    const sender = c.accounts.senders[3]!;
    const started = await fresh({ receiverPrivateKey: poor.privateKey });
    const rr = started.r;
    expect(rr.health()).to.deep.include({ ok: false, reason: 'eth-below-floor' });
    const openBlock = await openChannel(c, sender, 100n, receiver);
    await c.mine(2);
    await rr.syncOnce();
    const proof = (balance: bigint) => ({
      sender: sender.address,
      openBlock,
      balance,
      signature: signBalanceProof(sender.privateKey as Hex, { receiver, openBlock, balance, contract: c.addresses.channels }),
    });
    expect(rr.pay(proof(40n), 40n)).to.include({ accepted: true });
    await uncooperativeClose(c, sender, openBlock, 5n, receiver);
    await c.mine(2);
    await rr.syncOnce();
    await rr.syncOnce();
    expect(await tokenBalance(c, receiver), 'nothing could be sent').to.equal(0n);
    expect(rr.logs.some((l) => l.startsWith('error: dispute of'))).to.equal(true);

    await (await c.accounts.deployer.wallet.sendTransaction({ to: receiver, value: parseEther('1') })).wait();
    await rr.syncOnce();
    await rr.syncOnce();
    expect(await tokenBalance(c, receiver)).to.equal(40n);
    expect(rr.health()).to.deep.equal({ ok: true });
    expect(await c.provider.getTransactionCount(receiver, 'latest'), 'exactly one transaction mined').to.equal(1);
  });

  it('§5 DELETE: a closing signature only for exactly the registered balance with a valid sender signature; every refusal', async () => {
    const { c, r } = await fresh();
    const sender = c.accounts.senders[0]!;
    const other = c.accounts.senders[1]!;
    const openBlock = await openChannel(c, sender, 100n);
    const unpaid = await openChannel(c, other, 100n);
    const close = (s: typeof sender, ob: number, balance: bigint, sig?: string) =>
      r.cooperativeClose(s.address, ob, balance, sig ?? senderClosingSig(c, s, ob, balance));

    expect(close(sender, openBlock, 0n), 'unconfirmed').to.include({ ok: false, status: 404 });
    await c.mine(2);
    await r.syncOnce();
    expect(close(sender, openBlock + 1000, 0n), 'unknown').to.include({ ok: false, status: 404 });
    expect(close(other, unpaid, 0n), 'no payments').to.include({ ok: false, status: 400 });
    expect(r.pay(payment(c, sender, openBlock, 30n), 30n)).to.include({ accepted: true });
    expect(close(sender, openBlock, 20n), 'another balance').to.include({ ok: false, status: 400 });
    expect(close(sender, openBlock, 30n, senderClosingSig(c, other, openBlock, 30n).replace(/^/, '')), 'signed by another key').to.include({
      ok: false,
      status: 400,
    });
    const byOther = signClosing(other.privateKey as Hex, { sender: sender.address, openBlock, balance: 30n, contract: c.addresses.channels });
    expect(close(sender, openBlock, 30n, byOther), 'signed by another sender').to.include({ ok: false, status: 400 });
    expect(close(sender, openBlock, 30n, '0x1234'), 'malformed').to.include({ ok: false, status: 400 });
    expect(close(sender, openBlock, 30n, senderClosingSig(c, sender, openBlock, 31n)), 'signature over another balance').to.include({ ok: false, status: 400 });
    expect(r.channel(sender.address, openBlock)!.state, 'refusals change nothing').to.equal('open');

    const ok = close(sender, openBlock, 30n);
    if (!ok.ok) throw new Error(ok.reason);
    expect(recoverClosingSigner({ sender: sender.address, openBlock, balance: 30n, contract: c.addresses.channels }, ok.closeSignature)).to.equal(
      c.accounts.receiver.address,
    );
    expect(r.channel(sender.address, openBlock)!.state).to.equal('closing');
    expect(r.pay(payment(c, sender, openBlock, 40n), 10n), '§3.2 step 6 after a closing signature').to.include({ flag: 'RDN-Nonexisting-Channel' });
    expect(close(sender, openBlock, 30n), 'a closing one').to.include({ ok: false, status: 400 });

    // A top-up of a channel we signed a close for is handled (counted, still closing).
    await topUp(c, sender, openBlock, 5n);
    await c.mine(2);
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)).to.deep.include({ deposit: 105n, state: 'closing' });

    // The sender uses it; the channel settles at 30.
    const r0 = await tokenBalance(c, c.accounts.receiver.address);
    const proof = payment(c, sender, openBlock, 30n).signature;
    await (await c.channels.connect(sender.wallet).cooperativeClose(c.accounts.receiver.address, openBlock, 30n, proof, ok.closeSignature)).wait();
    await c.mine(2);
    await r.syncOnce();
    expect(await tokenBalance(c, c.accounts.receiver.address)).to.equal(r0 + 30n);
    expect(r.channel(sender.address, openBlock)!.state).to.equal('closed');
    expect(close(sender, openBlock, 30n), 'a closed one').to.include({ ok: false, status: 400 });

    // A close request on chain also makes it 400.
    expect(r.pay(payment(c, other, unpaid, 10n), 10n)).to.include({ accepted: true });
    await uncooperativeClose(c, other, unpaid, 10n);
    await c.mine(2);
    await r.syncOnce();
    expect(close(other, unpaid, 10n), 'close requested').to.include({ ok: false, status: 400 });
  });

  it('§4 withdraw: pays out registered − withdrawn for channels at or above the minimum, once', async () => {
    const { c, r } = await fresh();
    const sender = c.accounts.senders[2]!;
    const receiver = c.accounts.receiver.address;
    const openBlock = await openChannel(c, sender, 100n);
    await c.mine(2);
    await r.syncOnce();
    const r0 = await tokenBalance(c, receiver);
    expect(await r.withdraw(0n), 'nothing paid yet').to.deep.equal([]);
    expect(r.pay(payment(c, sender, openBlock, 30n), 30n)).to.include({ accepted: true });
    expect(await r.withdraw(31n), 'below the minimum').to.deep.equal([]);
    const first = await r.withdraw(30n);
    expect(first).to.have.length(1);
    expect(first[0]).to.deep.include({ sender: sender.address, openBlock, balance: 30n, amount: 30n });
    expect(first[0]!.error).to.equal(undefined);
    expect(await tokenBalance(c, receiver)).to.equal(r0 + 30n);
    expect(await r.withdraw(0n), 'withdrawn, event not yet confirmed').to.deep.equal([]);
    await c.mine(2);
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)).to.deep.include({ withdrawn: 30n, balance: 30n, state: 'open' });
    expect(r.pay(payment(c, sender, openBlock, 40n), 10n)).to.include({ accepted: true });
    expect(await r.withdraw(11n)).to.deep.equal([]);
    const second = await r.withdraw(10n);
    expect(second.map((w) => w.amount)).to.deep.equal([10n]);
    expect(await tokenBalance(c, receiver)).to.equal(r0 + 40n);
  });

  it('closeAll: cooperatively closes every open channel with payments and reports the skipped ones', async () => {
    const { c, r } = await fresh();
    const [a, b, d] = [c.accounts.senders[0]!, c.accounts.senders[1]!, c.accounts.senders[3]!];
    const receiver = c.accounts.receiver.address;
    const openA = await openChannel(c, a, 100n);
    const openB = await openChannel(c, b, 100n);
    const openD = await openChannel(c, d, 100n);
    await c.mine(2);
    const openU = await openChannel(c, b, 7n); // unconfirmed
    await r.syncOnce();
    expect(r.pay(payment(c, a, openA, 15n), 15n)).to.include({ accepted: true });
    expect(r.pay(payment(c, d, openD, 5n), 5n)).to.include({ accepted: true });
    expect(r.cooperativeClose(d.address, openD, 5n, senderClosingSig(c, d, openD, 5n))).to.include({ ok: true });
    const [a0, r0] = await Promise.all([tokenBalance(c, a.address), tokenBalance(c, receiver)]);

    const result = await r.closeAll();
    expect(result.failed).to.deep.equal([]);
    expect(result.closed.map((x) => [x.sender, x.openBlock, x.balance])).to.deep.equal([[a.address, openA, 15n]]);
    const skipped = Object.fromEntries(result.skipped.map((s) => [`${s.sender}/${s.openBlock}`, s.reason]));
    expect(skipped).to.have.keys(`${b.address}/${openB}`, `${d.address}/${openD}`, `${b.address}/${openU}`);
    expect(skipped[`${b.address}/${openB}`]).to.match(/no payment/);
    expect(skipped[`${d.address}/${openD}`]).to.match(/closing signature/);
    expect(skipped[`${b.address}/${openU}`]).to.match(/not confirmed/);
    expect(await tokenBalance(c, receiver)).to.equal(r0 + 15n);
    expect(await tokenBalance(c, a.address)).to.equal(a0 + 85n);
    expect(r.pay(payment(c, a, openA, 20n), 5n)).to.include({ flag: 'RDN-Nonexisting-Channel' });
    await c.mine(2);
    await r.syncOnce();
    expect(r.channel(a.address, openA)!.state).to.equal('closed');
    expect(r.channel(b.address, openB)!.state).to.equal('open');
  });
});
