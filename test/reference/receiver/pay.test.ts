/**
 * pay(): every outcome of SPEC §3.2 steps 5–10, on the real contract and chain, with confirmations
 * (§4) deciding when a channel and a top-up count.
 */
import { expect } from 'chai';
import { recoverBalanceProofSigner, type Hex } from '../../../src/protocol/index.js';
import type { Receiver } from '../../../src/reference/receiver/index.js';
import { openChannel, payment, proofOf, receiverOn, topUp, TOKEN, useChain } from './helpers.js';

describe('receiver pay() — §3.2 steps 5–10', () => {
  const chain = useChain();
  let r: (Receiver & { logs: string[] }) | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  /** A confirmed channel of `deposit` from sender i, and a manager that has seen it. */
  async function confirmedChannel(i: number, deposit = 10n * TOKEN) {
    const c = chain();
    r = await receiverOn(c, { confirmations: 2 });
    const sender = c.accounts.senders[i]!;
    const openBlock = await openChannel(c, sender, deposit);
    await c.mine(2);
    await r.syncOnce();
    return { c, r, sender, openBlock };
  }

  it('§3.2 step 5: a channel seen only in unconfirmed blocks answers Insufficient-Confirmations until N blocks are on top (§4)', async () => {
    const c = chain();
    r = await receiverOn(c, { confirmations: 3 });
    const sender = c.accounts.senders[0]!;
    const openBlock = await openChannel(c, sender, 10n * TOKEN);
    await r.syncOnce();
    for (let onTop = 0; onTop < 3; onTop++) {
      const out = r.pay(payment(c, sender, openBlock, 5n), 5n);
      expect(out, `${onTop} blocks on top`).to.include({ accepted: false, flag: 'RDN-Insufficient-Confirmations' });
      expect(r.channel(sender.address, openBlock), 'not listed while unconfirmed').to.equal(undefined);
      await c.mine(1);
      await r.syncOnce();
    }
    expect(r.pay(payment(c, sender, openBlock, 5n), 5n)).to.deep.equal({ accepted: true, balance: 5n, cost: 5n });
  });

  it('§3.2 step 6: an unknown channel, another receiver or another contract named in the payment is Nonexisting-Channel', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(1);
    expect(r.pay(payment(c, sender, openBlock + 1, 5n), 5n)).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    const stranger = c.accounts.senders[2]!;
    expect(r.pay(payment(c, stranger, openBlock, 5n), 5n)).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    const other = r.pay(payment(c, sender, openBlock, 5n, { receiver: c.accounts.thirdParty.address }), 5n);
    expect(other).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    expect((other as { reason: string }).reason).to.contain(c.accounts.thirdParty.address);
    const otherContract = r.pay(payment(c, sender, openBlock, 5n, { contract: c.addresses.token }), 5n);
    expect(otherContract).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    // Named in any case, the right receiver and contract are accepted.
    const same = payment(c, sender, openBlock, 5n, {
      receiver: c.accounts.receiver.address.toLowerCase() as Hex,
      contract: c.addresses.channels.toLowerCase() as Hex,
    });
    expect(r.pay(same, 5n)).to.include({ accepted: true });
  });

  it('§3.2 step 6: a channel for another receiver is not ours even when the sender and block match', async () => {
    const c = chain();
    r = await receiverOn(c);
    const sender = c.accounts.senders[3]!;
    const openBlock = await openChannel(c, sender, TOKEN, c.accounts.thirdParty.address);
    await c.mine(2);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 5n), 5n)).to.include({ accepted: false, flag: 'RDN-Nonexisting-Channel' });
    expect(r.channel(sender.address, openBlock)).to.equal(undefined);
    expect(r.channels({ sender: sender.address })).to.deep.equal([]);
  });

  it('§3.2 step 7: a proof signed by another key, or over another receiver, open block, balance or contract is Invalid-Balance-Proof', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(0);
    const other = c.accounts.senders[1]!;
    const cases: [string, Hex][] = [
      ['another key', proofOf(c, other, openBlock, 5n)],
      ['another receiver', proofOf(c, sender, openBlock, 5n, { receiver: c.accounts.thirdParty.address })],
      ['another open block', proofOf(c, sender, openBlock - 1, 5n)],
      ['another balance', proofOf(c, sender, openBlock, 6n)],
      ['another contract', proofOf(c, sender, openBlock, 5n, { contract: c.addresses.token })],
      ['garbage', `0x${'11'.repeat(64)}1c`],
      ['v = 29', `${proofOf(c, sender, openBlock, 5n).slice(0, 130)}1d` as Hex],
    ];
    for (const [what, signature] of cases) {
      const out = r.pay({ sender: sender.address, openBlock, balance: 5n, signature }, 5n);
      expect(out, what).to.include({ accepted: false, flag: 'RDN-Invalid-Balance-Proof' });
    }
    expect(r.channel(sender.address, openBlock)!.balance, 'nothing registered').to.equal(0n);
  });

  it('§3.2 step 8: an increment other than the price is Invalid-Amount with the registered proof; a replay and a decrease never serve', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(2);
    const first = payment(c, sender, openBlock, 10n);
    const under = r.pay(payment(c, sender, openBlock, 4n), 5n);
    expect(under).to.include({ accepted: false, flag: 'RDN-Invalid-Amount' });
    expect(under).to.not.have.property('last'); // nothing registered yet
    expect(r.pay(payment(c, sender, openBlock, 6n), 5n), 'over-payment').to.include({ flag: 'RDN-Invalid-Amount' });

    expect(r.pay(first, 10n)).to.deep.equal({ accepted: true, balance: 10n, cost: 10n });
    const replay = r.pay(first, 10n);
    expect(replay).to.deep.include({ accepted: false, flag: 'RDN-Invalid-Amount', last: { balance: 10n, signature: first.signature } });
    expect(r.pay(first, 0n), 'a replay even at price 0').to.include({ accepted: false, flag: 'RDN-Invalid-Amount' });
    const decrease = r.pay(payment(c, sender, openBlock, 7n), 5n);
    expect(decrease).to.deep.include({ accepted: false, flag: 'RDN-Invalid-Amount', last: { balance: 10n, signature: first.signature } });
    expect(r.pay(payment(c, sender, openBlock, 13n), 5n), 'increment 3 at price 5').to.include({ flag: 'RDN-Invalid-Amount' });
    expect(r.pay(payment(c, sender, openBlock, 15n), 5n)).to.deep.equal({ accepted: true, balance: 15n, cost: 5n });
  });

  it('§3.2 step 8/10: two requests carrying the same increment are served once', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(3);
    const p1 = payment(c, sender, openBlock, 5n);
    const outcomes = await Promise.all([Promise.resolve().then(() => r.pay(p1, 5n)), Promise.resolve().then(() => r.pay(p1, 5n))]);
    expect(outcomes.filter((o) => o.accepted)).to.have.length(1);
    expect(outcomes.filter((o) => !o.accepted && o.flag === 'RDN-Invalid-Amount')).to.have.length(1);
  });

  it('§3.2 step 9: a balance above the confirmed deposit is Invalid-Balance-Proof; a top-up counts only once confirmed', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(0, 100n);
    expect(r.pay(payment(c, sender, openBlock, 90n), 90n)).to.include({ accepted: true });
    expect(r.pay(payment(c, sender, openBlock, 110n), 20n)).to.include({ accepted: false, flag: 'RDN-Invalid-Balance-Proof' });
    await topUp(c, sender, openBlock, 50n);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 110n), 20n), 'top-up unconfirmed').to.include({ flag: 'RDN-Invalid-Balance-Proof' });
    expect(r.channel(sender.address, openBlock)!.deposit).to.equal(100n);
    await c.mine(1);
    await r.syncOnce();
    expect(r.pay(payment(c, sender, openBlock, 110n), 20n), 'one block on top of 2 needed').to.include({ flag: 'RDN-Invalid-Balance-Proof' });
    await c.mine(1);
    await r.syncOnce();
    expect(r.channel(sender.address, openBlock)!.deposit).to.equal(150n);
    expect(r.pay(payment(c, sender, openBlock, 110n), 20n)).to.deep.equal({ accepted: true, balance: 110n, cost: 20n });
    expect(r.pay(payment(c, sender, openBlock, 150n), 40n), 'exactly the deposit').to.include({ accepted: true });
  });

  it('§3.2 step 10 / §1.4: a proof with v = 0/1 is accepted and registered with v normalised to 27/28', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(1);
    const sig = proofOf(c, sender, openBlock, 5n);
    const v = parseInt(sig.slice(130), 16);
    const low = `${sig.slice(0, 130)}${(v - 27).toString(16).padStart(2, '0')}` as Hex;
    expect(r.pay({ sender: sender.address, openBlock, balance: 5n, signature: low }, 5n)).to.include({ accepted: true });
    const view = r.channel(sender.address, openBlock)!;
    expect(view.lastSignature).to.equal(sig);
    expect(recoverBalanceProofSigner({ receiver: r.receiver, openBlock, balance: 5n, contract: r.contract }, view.lastSignature!)).to.equal(sender.address);
  });

  it('views: channels(), channel() and stats() reflect deposits and registered balances', async () => {
    const { c, r, sender, openBlock } = await confirmedChannel(2, 1000n);
    r.pay(payment(c, sender, openBlock, 30n), 30n);
    expect(r.channel(sender.address.toLowerCase() as Hex, openBlock)).to.deep.include({
      sender: sender.address,
      receiver: c.accounts.receiver.address,
      openBlock,
      deposit: 1000n,
      balance: 30n,
      withdrawn: 0n,
      state: 'open',
    });
    expect(r.channels({ status: 'open', sender: sender.address }).map((v) => v.openBlock)).to.include(openBlock);
    expect(r.channels({ status: 'closed', sender: sender.address })).to.deep.equal([]);
    const s = r.stats();
    expect(s).to.include({ openChannels: r.channels({ status: 'open' }).length, pendingChannels: 0, token: c.addresses.token, contract: c.addresses.channels });
    expect(s.balanceSum).to.equal(r.channels({ status: 'open' }).reduce((a, v) => a + v.balance, 0n));
    expect(s.confirmedBlock).to.equal((await c.blockNumber()) - 2);
    expect(s.syncBlock, '§5: the start block').to.equal(0);
    expect(s.confirmations).to.equal(2);
    expect(s.liquidBalance).to.equal(await c.token.balanceOf(c.accounts.receiver.address));
  });

  it('throughput: pay() per second with signature recovery and a durable write each (measured, not asserted)', async function () {
    this.timeout(120_000);
    const { c, r, sender, openBlock } = await confirmedChannel(3, 10n * TOKEN);
    const n = 2000;
    const payments = Array.from({ length: n }, (_, i) => payment(c, sender, openBlock, BigInt(i + 1)));
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (const p of payments) {
      const out = r.pay(p, 1n);
      if (!out.accepted) throw new Error(`refused: ${JSON.stringify(out, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // Wall time suffers when other processes share the cores; CPU time shows what one core does.
    console.log(
      `      pay(): ${n} accepted in ${ms.toFixed(0)} ms wall = ${Math.round((n / ms) * 1000)}/s; ` +
        `${cpuMs.toFixed(0)} ms CPU = ${Math.round((n / cpuMs) * 1000)}/s per core (synchronous = NORMAL)`,
    );
    expect(r.channel(sender.address, openBlock)!.balance).to.equal(BigInt(n));
  });
});
