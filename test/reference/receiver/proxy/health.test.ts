/**
 * §3.2 step 1: 502 with a plain-text reason while the receiver cannot watch its chain (RPC down)
 * or holds less ETH than its floor, before every other step, and recovery when it can again.
 */
import { expect } from 'chai';
import { parseEther } from 'ethers';
import request from 'supertest';
import { HEADER } from '../../../../src/protocol/index.js';
import { echoResources, freeResource, pricedResource } from '../../../../src/reference/receiver/index.js';
import { openChannel, pay, type Rig, startRig, waitFor } from './helpers.js';

describe('proxy §3.2 step 1: 502 while the chain cannot be watched (real chain, real manager)', function () {
  this.timeout(60_000);
  let rig: Rig;
  const srv = () => rig.proxy.app.server;
  const rdn = (headers: Record<string, unknown>) => Object.keys(headers).filter((k) => k.startsWith('rdn-'));

  before(async function () {
    this.timeout(120_000);
    // The receiver starts with 1000 ETH (src/sim); a floor above it makes the proxy start unhealthy.
    rig = await startRig(
      [
        ...echoResources(),
        pricedResource(
          '/zero',
          () => 0n,
          () => 'zero',
        ),
        freeResource('/free', () => 'free'),
      ],
      {
        senders: 1,
        ethFloor: parseEther('1100'),
      },
    );
  });
  after(async () => rig?.close());

  describe('ETH below the floor', () => {
    it('502 with a plain-text reason, no RDN-* headers, on a paid resource', async () => {
      const res = await request(srv()).get('/echofix/a');
      expect(res.status).to.equal(502);
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.text).to.match(/^eth-below-floor: /);
      expect(rdn(res.headers)).to.deep.equal([]);
    });
    it('502 before step 2 (price 0) and step 3 (malformed headers)', async () => {
      expect((await request(srv()).get('/zero')).status).to.equal(502);
      expect((await request(srv()).get('/echofix/a').set(HEADER.openBlock, 'x').set(HEADER.balanceSignature, '0x00')).status).to.equal(502);
      expect((await request(srv()).get('/echofix/a').set('Accept', 'text/html')).status).to.equal(502);
    });
    it('still serves free resources and the REST API (they take no payment)', async () => {
      expect((await request(srv()).get('/free')).status).to.equal(200);
      expect((await request(srv()).get('/api/1/stats')).status).to.equal(200);
    });
    it('recovers once the receiver is funded above the floor', async () => {
      const tx = await rig.chain.accounts.deployer.wallet.sendTransaction({ to: rig.receiver, value: parseEther('200') });
      await tx.wait();
      await waitFor(async () => (await request(srv()).get('/echofix/a')).status === 402, 'the proxy to recover');
    });
  });

  describe('chain RPC unreachable (kit_outage)', () => {
    const outage = async (ms: number) => {
      const res = await fetch(rig.rpc.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'kit_outage', params: [ms] }),
      });
      expect((await res.json()) as object).to.not.have.property('error');
    };

    it('502 chain-unreachable during the outage, without registering a valid payment; recovers after', async () => {
      const sender = rig.chain.accounts.senders[0]!;
      const channel = await openChannel(rig, sender, 1000n);
      expect(
        (
          await request(srv())
            .get('/echofix/a')
            .set(pay(rig, channel, 5n))
        ).status,
      ).to.equal(200);

      await outage(3000);
      let res: request.Response | undefined;
      await waitFor(
        async () =>
          (res = await request(srv())
            .get('/echofix/b')
            .set(pay(rig, channel, 10n))).status === 502,
        'the outage to show',
        5000,
      );
      expect(res!.text).to.match(/^chain-unreachable: /);
      expect(rdn(res!.headers)).to.deep.equal([]);
      // Never a 402 while it cannot watch the chain, whatever the request.
      expect((await request(srv()).get('/echofix/b')).status).to.equal(502);
      expect((await request(srv()).get('/zero')).status).to.equal(502);
      expect(rig.manager.channel(sender.address, channel.openBlock)?.balance).to.equal(5n);

      await waitFor(
        async () =>
          (res = await request(srv())
            .get('/echofix/b')
            .set(pay(rig, channel, 10n))).status !== 502,
        'recovery',
        15_000,
      );
      expect(res!.status).to.equal(200);
      expect(res!.text).to.equal('b');
      expect(rig.manager.channel(sender.address, channel.openBlock)?.balance).to.equal(10n);
    });
  });
});
