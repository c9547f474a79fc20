/**
 * §3.2, step by step, through HTTP against the real manager on the real chain. Each test uses its
 * own channel so the order of tests does not matter.
 */
import http from 'node:http';
import { expect } from 'chai';
import nock from 'nock';
import request from 'supertest';
import { ERROR_FLAGS, HEADER, signBalanceProof } from '../../../../src/protocol/index.js';
import {
  createProxy,
  echoResources,
  forwardResource,
  freeResource,
  paidResource,
  pricedResource,
  ResourceError,
} from '../../../../src/reference/receiver/index.js';
import { type Channel, openChannel, openChannelUnconfirmed, pay, type Rig, startRig, waitFor } from './helpers.js';

const h = (name: string) => name.toLowerCase();

let upstreamHits = 0;
const resources = [
  ...echoResources(),
  paidResource('/fixed', 7n, () => 'fixed content'),
  pricedResource(
    '/sized',
    (req) => {
      const size = (req.query as Record<string, string | undefined>).size ?? '';
      if (!/^[0-9]{1,6}$/.test(size)) throw new ResourceError(400, `size must be a decimal integer, got ${JSON.stringify(size)}`, size);
      return BigInt(size);
    },
    (req) => ({ method: req.method, size: (req.query as Record<string, string>).size }),
    { methods: ['GET', 'POST'] },
  ),
  forwardResource('/cdn/*', 'http://cdn.test/r42', 3n),
  freeResource('/free', () => 'free content'),
  pricedResource(
    '/zero',
    () => 0n,
    () => 'zero-priced content',
  ),
  paidResource('/boom', 2n, () => {
    throw new Error('handler exploded');
  }),
  paidResource('/counted', 1n, () => {
    upstreamHits++;
    return 'counted';
  }),
];

describe('proxy §3.2 decision order (real chain, real manager)', function () {
  this.timeout(60_000);
  let rig: Rig;
  let base: Record<string, string>;

  before(async function () {
    this.timeout(120_000);
    rig = await startRig(resources, { senders: 4 });
    base = {
      [h(HEADER.gatewayPath)]: '/api/1',
      [h(HEADER.receiver)]: rig.receiver,
      [h(HEADER.contract)]: rig.contract,
      [h(HEADER.token)]: rig.chain.addresses.token,
    };
  });
  after(async () => {
    nock.cleanAll();
    await rig?.close();
  });

  const srv = () => rig.proxy.app.server;
  let next = 0;
  /** A fresh channel, from the senders in turn. */
  const fresh = (deposit = 1000n): Promise<Channel> => openChannel(rig, rig.chain.accounts.senders[next++ % rig.chain.accounts.senders.length]!, deposit);
  const rdnHeaders = (headers: Record<string, unknown>) =>
    Object.keys(headers)
      .filter((k) => k.startsWith('rdn-'))
      .sort();

  describe('§3.2 step 2: price 0', () => {
    it('serves a paywalled resource priced 0 without payment, with the base headers and RDN-Price 0', async () => {
      const res = await request(srv()).get('/zero');
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('zero-priced content');
      expect(res.headers).to.include({ ...base, [h(HEADER.price)]: '0' });
    });
    it('serves price 0 even with malformed payment headers (step 2 precedes step 3)', async () => {
      const res = await request(srv()).get('/zero').set(HEADER.openBlock, 'abc').set(HEADER.balanceSignature, '0x12');
      expect(res.status).to.equal(200);
    });
    it('prices /echodyn/<one character> at 1: a computed price is not 0 by accident', async () => {
      const res = await request(srv()).get('/echodyn/x');
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.price)]).to.equal('1');
    });
    it('serves a free resource outside the paywall: no RDN-* headers at all', async () => {
      const res = await request(srv()).get('/free');
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('free content');
      expect(rdnHeaders(res.headers)).to.deep.equal([]);
    });
  });

  describe('§3.2 step 3: malformed payment headers → 409 with the reason, bad signature → 402', () => {
    let channel: Channel;
    before(async () => {
      channel = await fresh();
    });
    const cases: [string, (p: Record<string, string>) => void, RegExp][] = [
      ['non-decimal open block', (p) => (p[HEADER.openBlock] = '12a'), /RDN-Open-Block: not-decimal/],
      ['negative open block', (p) => (p[HEADER.openBlock] = '-1'), /RDN-Open-Block: not-decimal/],
      ['open block above uint32', (p) => (p[HEADER.openBlock] = '4294967296'), /RDN-Open-Block: out-of-range/],
      ['hex balance', (p) => ((p[HEADER.balance] = '0x10'), (p[HEADER.senderBalance] = '0x10')), /RDN-Balance: not-decimal/],
      ['fractional balance', (p) => ((p[HEADER.balance] = '1.5'), delete p[HEADER.senderBalance]), /RDN-Balance: not-decimal/],
      ['negative balance', (p) => ((p[HEADER.senderBalance] = '-5'), delete p[HEADER.balance]), /RDN-Sender-Balance: not-decimal/],
      ['both balance headers differing', (p) => (p[HEADER.senderBalance] = '6'), /RDN-Sender-Balance: conflicting-balance/],
      ['invalid sender address', (p) => (p[HEADER.sender] = '0x1234'), /RDN-Sender-Address: invalid-address/],
      ['invalid receiver address', (p) => (p[HEADER.receiver] = 'bob'), /RDN-Receiver-Address: invalid-address/],
      ['invalid contract address', (p) => (p[HEADER.contract] = '0xZZ'), /RDN-Contract-Address: invalid-address/],
      ['non-decimal RDN-Payment', (p) => (p[HEADER.payment] = 'five'), /RDN-Payment: not-decimal/],
      ['missing sender with a signature', (p) => delete p[HEADER.sender], /RDN-Sender-Address: missing/],
      ['missing open block with a signature', (p) => delete p[HEADER.openBlock], /RDN-Open-Block: missing/],
    ];
    for (const [name, mutate, reason] of cases) {
      it(`409 for ${name}, with the reason in a text body`, async () => {
        const headers = pay(rig, channel, 5n);
        mutate(headers);
        const res = await request(srv()).get('/echofix/a').set(headers);
        expect(res.status).to.equal(409);
        expect(res.headers['content-type']).to.match(/^text\/plain/);
        expect(res.text).to.match(reason);
        expect(res.headers).to.include(base);
      });
    }
    const badSignatures: [string, (sig: string) => string][] = [
      ['not hex', (sig) => `0x${'zz'.repeat(65)}`.slice(0, sig.length)],
      ['too short', (sig) => sig.slice(0, -2)],
      ['too long', (sig) => `${sig}00`],
      ['v = 29', (sig) => `${sig.slice(0, -2)}1d`],
      ['v = 37 (EIP-155 style, accepted by the original)', (sig) => `${sig.slice(0, -2)}25`],
      ['no 0x prefix', (sig) => sig.slice(2)],
    ];
    for (const [name, mangle] of badSignatures) {
      it(`402 + RDN-Invalid-Balance-Proof for a signature ${name}, never 5xx`, async () => {
        const headers = pay(rig, channel, 5n);
        headers[HEADER.balanceSignature] = mangle(headers[HEADER.balanceSignature]!);
        const res = await request(srv()).get('/echofix/a').set(headers);
        expect(res.status).to.equal(402);
        expect(res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
        expect(res.headers).to.include({ ...base, [h(HEADER.price)]: '5' });
      });
    }
    it('accepts a signature with v = 0/1 (§1.4) and registers it normalised to 27/28', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      const sig = headers[HEADER.balanceSignature]!;
      const v = parseInt(sig.slice(-2), 16);
      headers[HEADER.balanceSignature] = `${sig.slice(0, -2)}0${v - 27}`;
      const res = await request(srv()).get('/echofix/a').set(headers);
      expect(res.status).to.equal(200);
      expect(res.headers[h(HEADER.balanceSignature)]).to.equal(sig);
    });
  });

  describe('§3.2 step 4: no signature → 402 payment request', () => {
    it('answers /echofix with price 5, exactly the base headers, no flag, JSON body', async () => {
      const res = await request(srv()).get('/echofix/hello');
      expect(res.status).to.equal(402);
      expect(res.headers).to.include({ ...base, [h(HEADER.price)]: '5' });
      expect(rdnHeaders(res.headers)).to.deep.equal([h(HEADER.contract), h(HEADER.gatewayPath), h(HEADER.price), h(HEADER.receiver), h(HEADER.token)].sort());
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body).to.include({ error: 'payment required', price: '5', flag: null });
    });
    it('prices /echodyn/<text> at len(text), counting code points', async () => {
      expect((await request(srv()).get('/echodyn/hello')).headers[h(HEADER.price)]).to.equal('5');
      expect((await request(srv()).get(`/echodyn/${encodeURIComponent('héé')}`)).headers[h(HEADER.price)]).to.equal('3');
      expect((await request(srv()).get(`/echodyn/${'a'.repeat(1000)}`)).headers[h(HEADER.price)]).to.equal('1000');
    });
    it('answers 402 when payment headers other than the signature are present', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      delete headers[HEADER.balanceSignature];
      const res = await request(srv()).get('/echofix/a').set(headers);
      expect(res.status).to.equal(402);
      expect(rdnHeaders(res.headers)).to.not.include(h(HEADER.sender));
    });
  });

  describe('§3.2 step 5: unconfirmed channel', () => {
    it('402 + RDN-Insufficient-Confirmations until the channel has its confirmations, then 200', async () => {
      const sender = rig.chain.accounts.senders[next++ % rig.chain.accounts.senders.length]!;
      const channel = await openChannelUnconfirmed(rig.chain, sender, 1000n);
      const headers = pay(rig, channel, 5n);
      // The manager sees the channel at its next poll; until then the channel is unknown (step 6).
      let res: request.Response | undefined;
      await waitFor(async () => {
        res = await request(srv()).get('/echofix/a').set(headers);
        return res.headers[h(HEADER.insufficientConfirmations)] === '1';
      }, 'the unconfirmed channel to be seen');
      expect(res!.status).to.equal(402);
      expect(res!.headers[h(HEADER.sender)]).to.equal(sender.address);
      await rig.chain.mine(2);
      await waitFor(async () => (await request(srv()).get('/echofix/a').set(headers)).status === 200, 'the channel to be confirmed');
    });
  });

  describe('§3.2 step 6: unknown or foreign channel', () => {
    let channel: Channel;
    before(async () => {
      channel = await fresh();
    });
    it('402 + RDN-Nonexisting-Channel for an open block with no channel', async () => {
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, { ...channel, openBlock: channel.openBlock - 1 }, 5n));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.nonexistingChannel)]).to.equal('1');
      expect(res.headers[h(HEADER.sender)]).to.equal(channel.sender.address);
    });
    it('402 + RDN-Nonexisting-Channel for a payment naming another receiver', async () => {
      const other = rig.chain.accounts.thirdParty.address;
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay({ receiver: other, contract: rig.contract }, channel, 5n));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.nonexistingChannel)]).to.equal('1');
    });
    it('402 + RDN-Nonexisting-Channel once a closing signature was issued (§5 DELETE)', async () => {
      const c = await fresh();
      expect(
        (
          await request(srv())
            .get('/echofix/a')
            .set(pay(rig, c, 5n))
        ).status,
      ).to.equal(200);
      const senderSignature = (await import('../../../../src/protocol/index.js')).signClosing(c.sender.privateKey, {
        sender: c.sender.address,
        openBlock: c.openBlock,
        balance: 5n,
        contract: rig.contract,
      });
      const del = await request(srv()).delete(`/api/1/channels/${c.sender.address}/${c.openBlock}`).send({ balance: '5', sender_signature: senderSignature });
      expect(del.status).to.equal(200);
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 10n));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.nonexistingChannel)]).to.equal('1');
    });
  });

  describe('§3.2 step 7: the signer must be the sender', () => {
    it('402 + RDN-Invalid-Balance-Proof for a proof signed by another key', async () => {
      const c = await fresh();
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 5n, { signer: rig.chain.accounts.thirdParty }));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
    });
    it('402 + RDN-Invalid-Balance-Proof for a proof of another balance than the header says', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      headers[HEADER.balanceSignature] = pay(rig, c, 6n)[HEADER.balanceSignature]!;
      const res = await request(srv()).get('/echofix/a').set(headers);
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
    });
    it('402 + RDN-Invalid-Balance-Proof for a proof signed for another contract', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      headers[HEADER.balanceSignature] = signBalanceProof(c.sender.privateKey, {
        receiver: rig.receiver,
        openBlock: c.openBlock,
        balance: 5n,
        contract: rig.chain.addresses.token,
      });
      const res = await request(srv()).get('/echofix/a').set(headers);
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
    });
  });

  describe('§3.2 step 8: the increment must equal the price', () => {
    let c: Channel;
    let lastSig: string;
    before(async () => {
      c = await fresh();
      const first = pay(rig, c, 5n);
      lastSig = first[HEADER.balanceSignature]!;
      expect((await request(srv()).get('/echofix/a').set(first)).status).to.equal(200);
    });
    const expectInvalidAmount = (res: request.Response) => {
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidAmount)]).to.equal('1');
      // The last registered proof, so a client that lost state can resynchronise.
      expect(res.headers).to.include({ [h(HEADER.sender)]: c.sender.address, [h(HEADER.senderBalance)]: '5', [h(HEADER.balanceSignature)]: lastSig });
    };
    it('402 + RDN-Invalid-Amount with the last proof for an underpayment', async () => {
      expectInvalidAmount(
        await request(srv())
          .get('/echofix/a')
          .set(pay(rig, c, 9n)),
      );
    });
    it('402 + RDN-Invalid-Amount for an overpayment', async () => {
      expectInvalidAmount(
        await request(srv())
          .get('/echofix/a')
          .set(pay(rig, c, 11n)),
      );
    });
    it('402 for a decreasing balance (Invalid-Amount or Invalid-Balance-Proof), never content', async () => {
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 4n));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidAmount)] ?? res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
    });
    it('402 for a replay of the registered proof, never content', async () => {
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 5n));
      expect(res.status).to.equal(402);
      expect(res.text).to.not.equal('a');
    });
    it('the RDN-Payment header is informational: a wrong value does not stop a correct payment', async () => {
      const headers = pay(rig, c, 10n);
      headers[HEADER.payment] = '1';
      const res = await request(srv()).get('/echofix/b').set(headers);
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('b');
      lastSig = headers[HEADER.balanceSignature]!;
    });
  });

  describe('§3.2 step 9: balance above the confirmed deposit', () => {
    it('402 + RDN-Invalid-Balance-Proof when the new balance exceeds the deposit', async () => {
      const c = await fresh(4n);
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 5n));
      expect(res.status).to.equal(402);
      expect(res.headers[h(HEADER.invalidBalanceProof)]).to.equal('1');
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(0n);
    });
  });

  describe('§3.2 step 10: register durably, then serve', () => {
    it('200 with the content, RDN-Sender-Balance = new balance, RDN-Cost = price and the reply headers', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      const res = await request(srv()).get('/echofix/hello').set(headers);
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('hello');
      expect(res.headers).to.include({
        ...base,
        [h(HEADER.price)]: '5',
        [h(HEADER.cost)]: '5',
        [h(HEADER.sender)]: c.sender.address,
        [h(HEADER.senderBalance)]: '5',
        [h(HEADER.balanceSignature)]: headers[HEADER.balanceSignature],
      });
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(5n);
      const second = await request(srv())
        .get('/echodyn/abc')
        .set(pay(rig, c, 8n));
      expect(second.status).to.equal(200);
      expect(second.text).to.equal('abc');
      expect(second.headers).to.include({ [h(HEADER.cost)]: '3', [h(HEADER.senderBalance)]: '8' });
    });
    it('accepts a payment carrying only RDN-Balance or only RDN-Sender-Balance', async () => {
      const c = await fresh();
      const onlyBalance = pay(rig, c, 5n);
      delete onlyBalance[HEADER.senderBalance];
      expect((await request(srv()).get('/echofix/a').set(onlyBalance)).status).to.equal(200);
      const onlySender = pay(rig, c, 10n);
      delete onlySender[HEADER.balance];
      expect((await request(srv()).get('/echofix/a').set(onlySender)).status).to.equal(200);
    });
    it('compares addresses case-insensitively', async () => {
      const c = await fresh();
      const headers = pay(rig, c, 5n);
      headers[HEADER.sender] = headers[HEADER.sender]!.toLowerCase();
      headers[HEADER.receiver] = `0x${headers[HEADER.receiver]!.slice(2).toUpperCase()}`;
      expect((await request(srv()).get('/echofix/a').set(headers)).status).to.equal(200);
    });
    it('50 concurrent requests carrying the same fresh proof yield exactly one 200', async () => {
      const c = await fresh();
      const { url } = await listenOnce();
      const headers = pay(rig, c, 5n);
      const replies = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${url}/echofix/once`, { headers }).then(async (r) => ({ status: r.status, body: await r.text() }))),
      );
      const ok = replies.filter((r) => r.status === 200);
      expect(ok).to.have.length(1);
      expect(ok[0]!.body).to.equal('once');
      expect(replies.filter((r) => r.status === 402)).to.have.length(49);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(5n);
    });
  });

  describe('resources: computed prices, upstream, handler failures, HEAD', () => {
    it('prices from the query string; a refused price parameter is a 400 before any payment', async () => {
      const c = await fresh();
      const quote = await request(srv()).get('/sized?size=12');
      expect(quote.status).to.equal(402);
      expect(quote.headers[h(HEADER.price)]).to.equal('12');
      const bad = await request(srv())
        .get('/sized?size=big')
        .set(pay(rig, c, 12n));
      expect(bad.status).to.equal(400);
      expect(bad.headers[h(HEADER.cost)]).to.equal(undefined);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(0n);
      const post = await request(srv())
        .post('/sized?size=12')
        .set(pay(rig, c, 12n));
      expect(post.status).to.equal(200);
      expect(post.body).to.deep.equal({ method: 'POST', size: '12' });
    });
    it('forwards a paid request to the upstream (path rest and query) and streams its content back', async () => {
      const c = await fresh();
      const scope = nock('http://cdn.test')
        .get('/r42/img/a%20b.txt')
        .query({ v: '2' })
        .reply(200, 'upstream bytes', { 'content-type': 'text/x-test', 'cache-control': 'public, max-age=600' });
      const unpaid = await request(srv()).get('/cdn/img/a%20b.txt?v=2');
      expect(unpaid.status).to.equal(402);
      expect(scope.isDone(), 'an unpaid request must not reach the upstream').to.equal(false);
      const res = await request(srv())
        .get('/cdn/img/a%20b.txt?v=2')
        .set(pay(rig, c, 3n));
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('upstream bytes');
      expect(res.headers['content-type']).to.equal('text/x-test');
      expect(res.headers['cache-control'], 'paid content is private').to.equal('private');
      expect(res.headers[h(HEADER.cost)]).to.equal('3');
      expect(scope.isDone()).to.equal(true);
    });
    it('passes the upstream status on (404 after payment, charged and saying so)', async () => {
      const c = await fresh();
      nock('http://cdn.test').get('/r42/missing').reply(404, 'no such thing');
      const res = await request(srv())
        .get('/cdn/missing')
        .set(pay(rig, c, 3n));
      expect(res.status).to.equal(404);
      expect(res.headers[h(HEADER.cost)]).to.equal('3');
    });
    it('an unreachable upstream after payment is a 502 that still carries RDN-Cost and the new balance', async () => {
      const c = await fresh();
      nock('http://cdn.test').get('/r42/down').replyWithError('connect ECONNREFUSED');
      const res = await request(srv())
        .get('/cdn/down')
        .set(pay(rig, c, 3n));
      expect(res.status).to.equal(502);
      expect(res.headers).to.include({ [h(HEADER.cost)]: '3', [h(HEADER.senderBalance)]: '3' });
      expect(res.text).to.match(/after payment/);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(3n);
    });
    it('refuses a path escaping the upstream base with 400, before payment', async () => {
      const c = await fresh();
      const { url: origin } = await listenOnce();
      // node:http with a raw path: supertest, fetch and inject all normalise dot segments first.
      for (const path of ['/cdn/../../etc/passwd', '/cdn/%2e%2e/%2E%2E/etc/passwd', '/cdn/a/../../r43/x']) {
        const res = await rawGet(origin, path, pay(rig, c, 3n));
        expect(res.status, path).to.equal(400);
        expect(res.body).to.match(/escapes the upstream/);
        expect(res.headers[h(HEADER.cost)]).to.equal(undefined);
      }
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(0n);
    });
    it('a handler that throws after payment is a 500 with RDN-Cost: the payment stays registered', async () => {
      const c = await fresh();
      const res = await request(srv())
        .get('/boom')
        .set(pay(rig, c, 2n));
      expect(res.status).to.equal(500);
      expect(res.text).to.not.match(/exploded/); // no internals leak
      expect(res.headers).to.include({ [h(HEADER.cost)]: '2', [h(HEADER.senderBalance)]: '2' });
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(2n);
      // The client continues from the registered balance.
      expect(
        (
          await request(srv())
            .get('/echofix/z')
            .set(pay(rig, c, 7n))
        ).status,
      ).to.equal(200);
    });
    it('HEAD answers the payment request and never charges, even with a valid proof', async () => {
      const c = await fresh();
      const before = upstreamHits;
      const headers = pay(rig, c, 1n);
      const head = await request(srv()).head('/counted').set(headers);
      expect(head.status).to.equal(402);
      expect(head.headers[h(HEADER.price)]).to.equal('1');
      expect(upstreamHits).to.equal(before);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(0n);
      const get = await request(srv()).get('/counted').set(headers);
      expect(get.status).to.equal(200);
      expect(upstreamHits).to.equal(before + 1);
    });
  });

  describe('graceful close (what SIGTERM does in the CLI)', () => {
    it('finishes an in-flight paid request, then refuses new connections', async () => {
      const c = await fresh();
      let started!: () => void;
      const inHandler = new Promise<void>((r) => (started = r));
      const slow = createProxy({
        manager: rig.manager,
        resources: [
          paidResource('/slow', 5n, async () => {
            started();
            await new Promise((r) => setTimeout(r, 300));
            return 'slow content';
          }),
        ],
      });
      const { url } = await slow.listen(0);
      const inFlight = fetch(`${url}/slow`, { headers: pay(rig, c, 5n) });
      await inHandler;
      const closed = slow.close();
      const res = await inFlight;
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('slow content');
      await closed;
      let refused = false;
      await fetch(`${url}/slow`).catch(() => (refused = true));
      expect(refused).to.equal(true);
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(5n);
    });
  });

  describe('§3.2 HTML paywall for browsers', () => {
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    it('serves an HTML page with the same 402 headers, each RDN-* value as a cookie and stale flag cookies expired', async () => {
      const res = await request(srv()).get('/echofix/page').set('Accept', browserAccept);
      expect(res.status).to.equal(402);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.headers).to.include({ ...base, [h(HEADER.price)]: '5' });
      expect(res.text)
        .to.match(/<!doctype html>/i)
        .and.match(/Payment required/);
      const setCookies = res.headers['set-cookie'] as unknown as string[];
      const cookies = setCookies.filter((c) => !c.endsWith('Max-Age=0')).map((c) => c.split(';')[0]);
      const canonical = Object.values(HEADER).filter((name) => res.headers[name.toLowerCase()] !== undefined);
      expect(canonical).to.have.length(rdnHeaders(res.headers).length);
      expect(cookies.sort()).to.deep.equal(canonical.map((name) => `${name}=${res.headers[name.toLowerCase()]}`).sort());
      // A flag is about one answer: the flags an earlier 402 may have set are removed.
      expect(setCookies.filter((c) => c.endsWith('Max-Age=0')).map((c) => c.split('=')[0])).to.have.members([...ERROR_FLAGS]);
      // The page carries the values for its script, and loads the browser client.
      expect(res.text).to.include('id="rdn-paywall-params"').and.include('/_rdn/web-client.js');
    });
    it('carries the flag as a cookie on an HTML Invalid-Amount, and the last proof in the page, never as payment cookies', async () => {
      const c = await fresh();
      await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 5n));
      const res = await request(srv())
        .get('/echofix/a')
        .set(pay(rig, c, 6n))
        .set('Accept', 'text/html');
      expect(res.status).to.equal(402);
      const cookies = res.headers['set-cookie'] as unknown as string[];
      expect(cookies).to.include('RDN-Invalid-Amount=1; Path=/; SameSite=Lax');
      // A cookie named like a payment value is a payment (§3.1): the server never sets one.
      for (const name of ['RDN-Sender-Address', 'RDN-Sender-Balance', 'RDN-Balance-Signature', 'RDN-Open-Block']) {
        expect(
          cookies.some((c) => c.startsWith(`${name}=`)),
          name,
        ).to.equal(false);
      }
      expect(res.headers[h(HEADER.senderBalance)]).to.equal('5');
      expect(res.text).to.include('"senderBalance":"5"');
    });
    it('gives API clients (Accept */*, application/json, none) a JSON 402 without cookies', async () => {
      for (const accept of ['*/*', 'application/json', 'application/json, text/html;q=0.5', undefined]) {
        const req = request(srv()).get('/echofix/a');
        const res = await (accept === undefined ? req : req.set('Accept', accept));
        expect(res.status).to.equal(402);
        expect(res.headers['content-type'], String(accept)).to.match(/^application\/json/);
        expect(res.headers['set-cookie']).to.equal(undefined);
      }
    });
  });

  function rawGet(origin: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const { hostname, port } = new URL(origin);
      const req = http.get({ hostname, port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
    });
  }

  async function listenOnce(): Promise<{ url: string }> {
    const address = rig.proxy.app.server.address();
    if (address && typeof address === 'object') return { url: `http://127.0.0.1:${address.port}` };
    return rig.proxy.listen(0);
  }
});
