/** §5 REST API under /api/1: every endpoint and branch, against the real manager on the real chain. */
import { expect } from 'chai';
import request from 'supertest';
import { recoverClosingSigner, signClosing } from '../../../../src/protocol/index.js';
import { createProxy, echoResources, ProxyConfigError } from '../../../../src/reference/receiver/index.js';
import { type Channel, openChannel, pay, type Rig, startRig, waitFor } from './helpers.js';

describe('proxy §5 REST API (real chain, real manager)', function () {
  this.timeout(60_000);
  let rig: Rig;
  let paid: Channel; // one payment of 5, then 10
  let unpaid: Channel; // open, no payment
  let closing: Channel; // paid 5, then cooperatively closed through DELETE
  let closeSig: string;

  const srv = () => rig.proxy.app.server;
  const senderSig = (c: Channel, balance: bigint) =>
    signClosing(c.sender.privateKey, { sender: c.sender.address, openBlock: c.openBlock, balance, contract: rig.contract });

  before(async function () {
    this.timeout(120_000);
    rig = await startRig(echoResources(), { senders: 3 });
    const [a, b, c] = rig.chain.accounts.senders as [Channel['sender'], Channel['sender'], Channel['sender']];
    paid = await openChannel(rig, a, 1000n);
    unpaid = await openChannel(rig, b, 300n);
    closing = await openChannel(rig, c, 200n);
    for (const [channel, balance] of [
      [paid, 5n],
      [paid, 10n],
      [closing, 5n],
    ] as const) {
      expect(
        (
          await request(srv())
            .get('/echofix/x')
            .set(pay(rig, channel, balance))
        ).status,
      ).to.equal(200);
    }
    const del = await request(srv())
      .delete(`/api/1/channels/${closing.sender.address}/${closing.openBlock}`)
      .send({ balance: 5, sender_signature: senderSig(closing, 5n) });
    expect(del.status).to.equal(200);
    closeSig = del.body.close_signature;
  });
  after(async () => rig?.close());

  describe('gateway path', () => {
    it('serves the API and the RDN-Gateway-Path header under a configured gateway path; rest: false serves none', async () => {
      const custom = createProxy({ manager: rig.manager, resources: echoResources(), gatewayPath: '/pay/v2' });
      await custom.app.ready();
      try {
        expect((await request(custom.app.server).get('/pay/v2/stats')).status).to.equal(200);
        expect((await request(custom.app.server).get('/api/1/stats')).status).to.equal(404);
        expect((await request(custom.app.server).get('/echofix/a')).headers['rdn-gateway-path']).to.equal('/pay/v2');
      } finally {
        await custom.close();
      }
      const bare = createProxy({ manager: rig.manager, resources: echoResources(), rest: false });
      await bare.app.ready();
      try {
        expect((await request(bare.app.server).get('/api/1/stats')).status).to.equal(404);
      } finally {
        await bare.close();
      }
    });
    for (const bad of ['api/1', '/api/1/', '/', '/api 1', '/api?x=1', '']) {
      it(`refuses the gateway path ${JSON.stringify(bad)} with a ProxyConfigError`, () => {
        expect(() => createProxy({ manager: rig.manager, gatewayPath: bad }))
          .to.throw(ProxyConfigError)
          .with.property('value', bad);
      });
    }
  });

  describe('GET /api/1/stats', () => {
    it('reports sums as decimal strings, counts as numbers, the addresses, sync and confirmed blocks and both ABIs', async () => {
      const res = await request(srv()).get('/api/1/stats');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      const s = res.body;
      expect(s).to.include({
        receiver_address: rig.receiver,
        contract_address: rig.contract,
        token_address: rig.chain.addresses.token,
        // What each sum covers is the manager's (its own tests); here: the mapping and the types.
        deposit_sum: rig.manager.stats().depositSum.toString(),
        balance_sum: rig.manager.stats().balanceSum.toString(),
        liquid_balance: rig.manager.stats().liquidBalance.toString(),
        open_channels: 2,
        pending_channels: 1,
      });
      expect(s.deposit_sum).to.match(/^[0-9]+$/);
      expect(BigInt(s.deposit_sum) >= 1300n).to.equal(true);
      expect(s.unique_senders).to.be.a('number').within(2, 3);
      // §5: sync_block is where the receiver scans events from (its start block, 0 here), not its head.
      expect(s.sync_block).to.equal(0);
      expect(s.confirmed_block).to.equal(rig.manager.stats().confirmedBlock).and.be.above(0);
      expect(s.confirmations).to.equal(2);
      const names = (abi: { name?: string }[]) => abi.map((f) => f.name);
      expect(names(s.manager_abi)).to.include.members(['createChannel', 'cooperativeClose', 'withdraw', 'ChannelCreated']);
      expect(names(s.token_abi)).to.include.members(['transfer', 'approve', 'balanceOf']);
    });
  });

  describe('GET /api/1/channels', () => {
    const keys = (list: { sender_address: string; open_block: number }[]) => list.map((c) => `${c.sender_address}/${c.open_block}`).sort();
    const key = (c: Channel) => `${c.sender.address}/${c.openBlock}`;
    it('lists open channels by default, with the §5 fields (amounts as strings)', async () => {
      const res = await request(srv()).get('/api/1/channels');
      expect(res.status).to.equal(200);
      expect(keys(res.body)).to.deep.equal([key(paid), key(unpaid)].sort());
      const one = res.body.find((c: { sender_address: string }) => c.sender_address === paid.sender.address);
      expect(one).to.include({ sender_address: paid.sender.address, open_block: paid.openBlock, deposit: '1000', balance: '10', state: 'open' });
    });
    it('filters by status=open|opened|closed|all', async () => {
      expect(keys((await request(srv()).get('/api/1/channels?status=open')).body)).to.deep.equal([key(paid), key(unpaid)].sort());
      expect(keys((await request(srv()).get('/api/1/channels?status=opened')).body)).to.deep.equal([key(paid), key(unpaid)].sort());
      const closed = (await request(srv()).get('/api/1/channels?status=closed')).body;
      expect(keys(closed)).to.deep.equal([key(closing)]);
      expect(closed[0].state).to.be.oneOf(['closing', 'closed']);
      expect(keys((await request(srv()).get('/api/1/channels?status=all')).body)).to.deep.equal([key(paid), key(unpaid), key(closing)].sort());
    });
    it('400 with a reason for an unknown status', async () => {
      const res = await request(srv()).get('/api/1/channels?status=pending');
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/invalid status "pending"/);
    });
  });

  describe('GET /api/1/channels/<sender>', () => {
    it("lists that sender's channels, any address case", async () => {
      for (const address of [paid.sender.address, paid.sender.address.toLowerCase()]) {
        const res = await request(srv()).get(`/api/1/channels/${address}`);
        expect(res.status).to.equal(200);
        expect(res.body).to.have.length(1);
        expect(res.body[0]).to.include({ sender_address: paid.sender.address, open_block: paid.openBlock, balance: '10', deposit: '1000', state: 'open' });
      }
    });
    it('an empty list for a sender without channels; the status filter applies', async () => {
      expect((await request(srv()).get(`/api/1/channels/${rig.chain.accounts.thirdParty.address}`)).body).to.deep.equal([]);
      expect((await request(srv()).get(`/api/1/channels/${closing.sender.address}`)).body).to.deep.equal([]);
      expect((await request(srv()).get(`/api/1/channels/${closing.sender.address}?status=all`)).body).to.have.length(1);
    });
    it('400 with a reason for an invalid address', async () => {
      const res = await request(srv()).get('/api/1/channels/0x12345');
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/invalid sender address "0x12345"/);
    });
  });

  describe('GET /api/1/channels/<sender>/<open_block>', () => {
    it('returns one channel, whatever its state', async () => {
      const res = await request(srv()).get(`/api/1/channels/${unpaid.sender.address}/${unpaid.openBlock}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ sender_address: unpaid.sender.address, open_block: unpaid.openBlock, deposit: '300', balance: '0', state: 'open' });
      const c = await request(srv()).get(`/api/1/channels/${closing.sender.address}/${closing.openBlock}`);
      expect(c.body.state).to.be.oneOf(['closing', 'closed']);
    });
    it('404 for an unknown channel', async () => {
      const res = await request(srv()).get(`/api/1/channels/${paid.sender.address}/${paid.openBlock + 1}`);
      expect(res.status).to.equal(404);
      expect(res.body.error).to.match(/unknown channel/);
    });
    for (const block of ['12a', '-1', '1.5', '0x10', '4294967296', '99999999999']) {
      it(`400 for the open block ${JSON.stringify(block)}`, async () => {
        const res = await request(srv()).get(`/api/1/channels/${paid.sender.address}/${block}`);
        expect(res.status).to.equal(400);
        expect(res.body.error).to.match(/invalid open block/);
      });
    }
    it('400 for an invalid address', async () => {
      expect((await request(srv()).get(`/api/1/channels/bob/${paid.openBlock}`)).status).to.equal(400);
    });
  });

  describe('DELETE /api/1/channels/<sender>/<open_block>', () => {
    const url = (c: Channel, block = c.openBlock) => `/api/1/channels/${c.sender.address}/${block}`;

    it('400 for a channel already closed (a closing signature was issued)', async () => {
      const res = await request(srv())
        .delete(url(closing))
        .send({ balance: '5', sender_signature: senderSig(closing, 5n) });
      expect(res.status).to.equal(400);
    });
    it('200 {close_signature}: the receiver signed the closing message and the contract accepts it', async () => {
      expect(recoverClosingSigner({ sender: closing.sender.address, openBlock: closing.openBlock, balance: 5n, contract: rig.contract }, closeSig)).to.equal(
        rig.receiver,
      );
      const balanceSig = pay(rig, closing, 5n)['RDN-Balance-Signature']!;
      const before = await rig.chain.token.balanceOf(closing.sender.address);
      const tx = await rig.chain.channels.connect(closing.sender.wallet).cooperativeClose(rig.receiver, closing.openBlock, 5n, balanceSig, closeSig);
      expect((await tx.wait())?.status).to.equal(1);
      expect((await rig.chain.token.balanceOf(closing.sender.address)) - before).to.equal(195n);
    });
    it('shows a settled channel as closed and refuses to close it again (400)', async () => {
      await rig.chain.mine(3);
      await waitFor(() => rig.manager.channel(closing.sender.address, closing.openBlock)?.state === 'closed', 'the settlement to be confirmed');
      const res = await request(srv())
        .delete(url(closing))
        .send({ balance: '5', sender_signature: senderSig(closing, 5n) });
      expect(res.status).to.equal(400);
      expect((await request(srv()).get(url(closing))).body).to.include({ state: 'closed', balance: '5' });
    });
    it('accepts the balance as a decimal string and as a JSON number', async () => {
      // Fresh channels: each successful DELETE closes its channel.
      for (const balance of ['5', 5]) {
        const c = await openChannel(rig, rig.chain.accounts.senders[0]!, 100n);
        expect(
          (
            await request(srv())
              .get('/echofix/x')
              .set(pay(rig, c, 5n))
          ).status,
        ).to.equal(200);
        const res = await request(srv())
          .delete(url(c))
          .send({ balance, sender_signature: senderSig(c, 5n) });
        expect(res.status, typeof balance).to.equal(200);
        expect(res.body.close_signature).to.match(/^0x[0-9a-f]{130}$/);
      }
    });
    it('400 for another balance than the registered one', async () => {
      const res = await request(srv())
        .delete(url(paid))
        .send({ balance: '5', sender_signature: senderSig(paid, 5n) });
      expect(res.status).to.equal(400);
      expect(rig.manager.channel(paid.sender.address, paid.openBlock)?.state).to.equal('open');
    });
    it('400 for a channel without payments', async () => {
      const res = await request(srv())
        .delete(url(unpaid))
        .send({ balance: '0', sender_signature: senderSig(unpaid, 0n) });
      expect(res.status).to.equal(400);
    });
    it('400 when the sender signature is not the sender’s (anyone could freeze a channel otherwise)', async () => {
      const forged = signClosing(rig.chain.accounts.thirdParty.privateKey, {
        sender: paid.sender.address,
        openBlock: paid.openBlock,
        balance: 10n,
        contract: rig.contract,
      });
      const res = await request(srv()).delete(url(paid)).send({ balance: '10', sender_signature: forged });
      expect(res.status).to.equal(400);
      expect(rig.manager.channel(paid.sender.address, paid.openBlock)?.state).to.equal('open');
    });
    it('404 for an unknown channel', async () => {
      const res = await request(srv())
        .delete(url(paid, paid.openBlock + 1))
        .send({ balance: '10', sender_signature: senderSig(paid, 10n) });
      expect(res.status).to.equal(404);
    });
    const bad: [string, (r: request.Test) => request.Test, RegExp][] = [
      ['invalid JSON', (r) => r.set('content-type', 'application/json').send('{"balance": 10,'), /invalid JSON body/],
      ['no body', (r) => r, /missing JSON body/],
      ['a JSON array', (r) => r.send([10]), /must be a JSON object/],
      ['no balance', (r) => r.send({ sender_signature: '0x00' }), /missing "balance"/],
      ['a fractional balance', (r) => r.send({ balance: 10.5, sender_signature: '0x00' }), /invalid balance/],
      ['a negative balance', (r) => r.send({ balance: '-10', sender_signature: '0x00' }), /invalid balance/],
      [
        'a balance above 2^53 as a number',
        (r) => r.set('content-type', 'application/json').send('{"balance": 9007199254740993, "sender_signature": "0x00"}'),
        /safe integer/,
      ],
      ['a hex balance', (r) => r.send({ balance: '0x0a', sender_signature: '0x00' }), /invalid balance/],
      ['no sender_signature', (r) => r.send({ balance: '10' }), /missing "sender_signature"/],
    ];
    for (const [name, build, reason] of bad) {
      it(`400 with a reason for ${name}, never 5xx`, async () => {
        const res = await build(request(srv()).delete(url(paid)));
        expect(res.status).to.equal(400);
        expect(res.body.error).to.match(reason);
      });
    }
    it('400 for a malformed sender signature (the manager judges its syntax)', async () => {
      const res = await request(srv()).delete(url(paid)).send({ balance: '10', sender_signature: '0xnothex' });
      expect(res.status).to.equal(400);
    });
    it('accepts the JSON body whatever its content type', async () => {
      const res = await request(srv())
        .delete(url(paid))
        .set('content-type', 'text/plain')
        .send(JSON.stringify({ balance: '5', sender_signature: senderSig(paid, 5n) }));
      expect(res.status).to.equal(400); // parsed, then refused for the wrong balance: not a 415
      expect(res.body.error).to.not.match(/JSON/);
    });
    it('400 for a bad address or open block in the path', async () => {
      expect((await request(srv()).delete(`/api/1/channels/0x1/${paid.openBlock}`).send({ balance: '10', sender_signature: '0x00' })).status).to.equal(400);
      expect((await request(srv()).delete(`/api/1/channels/${paid.sender.address}/x`).send({ balance: '10', sender_signature: '0x00' })).status).to.equal(400);
    });
  });
});
