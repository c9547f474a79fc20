/**
 * §3.1 browser clients: payments as cookies, through HTTP against the real manager on the real
 * chain — every §3.2 rule as for headers, headers winning, a replayed cookie refused — and the
 * merge itself (paymentSource) on hand-made header sets.
 */
import { expect } from 'chai';
import request from 'supertest';
import { HEADER } from '../../../../src/protocol/index.js';
import { echoResources } from '../../../../src/reference/receiver/index.js';
import { paymentSource } from '../../../../src/reference/receiver/proxy/cookies.js';
import { cookieHeader, openChannel, openChannelUnconfirmed, pay, type Rig, startRig, waitFor } from './helpers.js';

describe('§3.1 payment cookies', () => {
  describe('paymentSource: headers and cookies merged', () => {
    it('reads the four payment values from cookies when no header carries them, percent-decoded', () => {
      const s = paymentSource({ cookie: 'other=1; RDN-Sender-Address=0xab; RDN-Open-Block=7; RDN-Sender-Balance=%35; RDN-Balance-Signature=0x01' });
      expect([HEADER.sender, HEADER.openBlock, HEADER.senderBalance, HEADER.balanceSignature].map(s.get)).to.deep.equal(['0xab', '7', '5', '0x01']);
      expect(s.get(HEADER.balance), 'RDN-Balance is not a cookie of §3.1').to.equal(undefined);
      expect(s.fromCookies).to.equal(true);
    });
    it('lets a header win, value by value, and takes the balance as one value under either header name', () => {
      const s = paymentSource({ 'rdn-open-block': '9', 'rdn-balance': '10', cookie: 'RDN-Open-Block=7; RDN-Sender-Balance=5; RDN-Balance-Signature=0x01' });
      expect(s.get(HEADER.openBlock)).to.equal('9');
      expect(s.get(HEADER.balance)).to.equal('10');
      expect(s.get(HEADER.senderBalance), 'no conflict with a cookie balance: the header carries the balance').to.equal(undefined);
      expect(s.get(HEADER.balanceSignature)).to.equal('0x01');
    });
    it('treats an empty (or blank) header as absent, so the cookie counts; a header signature means a header payment', () => {
      expect(paymentSource({ 'rdn-balance-signature': ' ', cookie: 'RDN-Balance-Signature=0x01' }).get(HEADER.balanceSignature)).to.equal('0x01');
      expect(paymentSource({ 'rdn-balance-signature': '0x02', cookie: 'RDN-Balance-Signature=0x01' }).fromCookies).to.equal(false);
      expect(paymentSource({ 'rdn-balance-signature': '0x02' }).fromCookies).to.equal(false);
    });
    it('takes the first of two cookies with one name (the browser sends the most specific path first)', () => {
      expect(paymentSource({ cookie: 'RDN-Open-Block=1; RDN-Open-Block=2' }).get(HEADER.openBlock)).to.equal('1');
    });
  });

  describe('through the proxy (real chain, real manager)', () => {
    let rig: Rig;
    let next = 0;
    before(async function () {
      this.timeout(120_000);
      rig = await startRig(echoResources(), { senders: 10 });
    });
    after(async () => rig?.close());
    const srv = () => rig.proxy.app.server;
    const fresh = async () => openChannel(rig, rig.chain.accounts.senders[next++]!, 100n);

    it('pays with cookies: 200, the balance registered, the spent cookies expired in the reply', async () => {
      const c = await fresh();
      const res = await request(srv())
        .get('/echofix/hello')
        .set('Cookie', cookieHeader(rig, c, 5n));
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('hello');
      expect(res.headers[HEADER.senderBalance.toLowerCase()]).to.equal('5');
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(5n);
      const expired = (res.headers['set-cookie'] as unknown as string[]).filter((v) => v.includes('Max-Age=0')).map((v) => v.split('=')[0]);
      expect(expired).to.have.members(['RDN-Sender-Address', 'RDN-Open-Block', 'RDN-Sender-Balance', 'RDN-Balance-Signature']);
    });

    it('refuses a replayed cookie (§3.2 step 8): never served twice', async () => {
      const c = await fresh();
      const cookie = cookieHeader(rig, c, 5n);
      expect((await request(srv()).get('/echofix/a').set('Cookie', cookie)).status).to.equal(200);
      const again = await request(srv()).get('/echofix/b').set('Cookie', cookie);
      expect(again.status).to.equal(402);
      expect(again.headers[HEADER.invalidAmount.toLowerCase()]).to.equal('1');
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(5n);
    });

    it('applies every §3.2 rule to cookies: wrong signer, under-payment, malformed value, unconfirmed channel', async () => {
      const c = await fresh();
      const eve = rig.chain.accounts.senders[next++]!;
      const forged = await request(srv())
        .get('/echofix/x')
        .set('Cookie', cookieHeader(rig, c, 5n, eve));
      expect(forged.status).to.equal(402);
      expect(forged.headers[HEADER.invalidBalanceProof.toLowerCase()]).to.equal('1');
      const under = await request(srv())
        .get('/echofix/x')
        .set('Cookie', cookieHeader(rig, c, 4n));
      expect(under.headers[HEADER.invalidAmount.toLowerCase()]).to.equal('1');
      const malformed = await request(srv())
        .get('/echofix/x')
        .set('Cookie', `${cookieHeader(rig, c, 5n)}; RDN-Open-Block=abc`.replace(/RDN-Open-Block=[0-9]+; /, ''));
      expect(malformed.status).to.equal(409);
      const pending = await openChannelUnconfirmed(rig.chain, rig.chain.accounts.senders[next++]!, 50n);
      // The manager sees the channel at its next poll (until then it is unknown, step 6).
      await waitFor(
        async () =>
          (
            await request(srv())
              .get('/echofix/x')
              .set('Cookie', cookieHeader(rig, pending, 5n))
          ).headers[HEADER.insufficientConfirmations.toLowerCase()] === '1',
        'Insufficient-Confirmations for a cookie payment in an unconfirmed channel',
      );
      expect(rig.manager.channel(c.sender.address, c.openBlock)?.balance).to.equal(0n);
    });

    it('lets headers win: a valid header payment with a garbage cookie is served, a cookie cannot override a header', async () => {
      const c = await fresh();
      const served = await request(srv())
        .get('/echofix/x')
        .set(pay(rig, c, 5n))
        .set('Cookie', 'RDN-Balance-Signature=0xdead; RDN-Open-Block=abc');
      expect(served.status).to.equal(200);
      expect(served.headers['set-cookie'], 'a header payment leaves the cookies alone').to.equal(undefined);
      // A stale balance in the header, a correct one in the cookie: the header's is the one judged.
      const headers = pay(rig, c, 5n);
      const judged = await request(srv())
        .get('/echofix/x')
        .set(headers)
        .set('Cookie', cookieHeader(rig, c, 10n));
      expect(judged.status).to.equal(402);
      expect(judged.headers[HEADER.invalidAmount.toLowerCase()]).to.equal('1');
    });
  });
});
